using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;
using System.Text.RegularExpressions;

namespace PipelineOps.Host;

/// <summary>
/// Output (formatted by Out-Default through the module's views) goes to stdout; errors, warnings, verbose and
/// debug messages and progress go to stderr, so a pipeline's data and its diagnostics never mix.
/// </summary>
internal sealed partial class HostUserInterface : PSHostUserInterface
{
    private static readonly TimeSpan LogProgressInterval = TimeSpan.FromSeconds(5);

    private readonly TextWriter _stdout;
    private readonly TextWriter _stderr;
    private readonly HostRawUserInterface _raw = new();
    private readonly bool _progressOnTerminal = !Console.IsErrorRedirected;
    private readonly bool _plainOutput = Console.IsOutputRedirected;
    private readonly Dictionary<long, DateTime> _lastProgressLine = [];
    private readonly object _gate = new();
    private bool _progressLineOpen;

    public HostUserInterface(TextWriter stdout, TextWriter stderr)
    {
        _stdout = stdout;
        _stderr = stderr;
    }

    public override PSHostRawUserInterface RawUI => _raw;

    public override bool SupportsVirtualTerminal => false;

    public override void Write(string value) => Out(w => w.Write(Plain(value)));

    public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Write(value);

    public override void WriteLine(string value) => Out(w => w.WriteLine(Plain(value)));

    public override void WriteErrorLine(string value) => Err(value);

    public override void WriteWarningLine(string message) => Err("WARNING: " + message);

    public override void WriteVerboseLine(string message) => Err("VERBOSE: " + message);

    public override void WriteDebugLine(string message) => Err("DEBUG: " + message);

    public override void WriteInformation(InformationRecord record)
    {
        // Write-Host and friends: shown on stdout like pwsh does.
    }

    public void WriteErrorRecord(ErrorRecord record)
    {
        var command = record.InvocationInfo?.MyCommand?.Name;
        var message = record.ErrorDetails?.Message ?? record.Exception?.Message ?? record.ToString();
        Err(string.IsNullOrEmpty(command) ? message : $"{command}: {message}");
    }

    public override void WriteProgress(long sourceId, ProgressRecord record)
    {
        lock (_gate)
        {
            if (record.RecordType == ProgressRecordType.Completed)
            {
                _lastProgressLine.Remove(record.ActivityId);
                ClearProgressLine();
                return;
            }

            var percent = record.PercentComplete >= 0 ? $" {record.PercentComplete}%" : "";
            var line = $"{record.Activity}: {record.StatusDescription}{percent}";
            if (_progressOnTerminal)
            {
                var width = Math.Max(20, _raw.BufferSize.Width - 1);
                _stderr.Write("\r" + (line.Length > width ? line[..width] : line.PadRight(width)));
                _stderr.Flush();
                _progressLineOpen = true;
                return;
            }

            // Logs (journald, files): one line every few seconds per activity, not a flood.
            var now = DateTime.UtcNow;
            if (_lastProgressLine.TryGetValue(record.ActivityId, out var last) && now - last < LogProgressInterval)
            {
                return;
            }

            _lastProgressLine[record.ActivityId] = now;
            _stderr.WriteLine("PROGRESS: " + line);
        }
    }

    public void FinishProgress()
    {
        lock (_gate)
        {
            ClearProgressLine();
        }
    }

    public override string ReadLine() => Console.ReadLine() ?? "";

    public override SecureString ReadLineAsSecureString() => throw NotInteractive("read a secure string");

    public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions) =>
        throw NotInteractive($"prompt for {string.Join(", ", descriptions.Select(d => d.Name))}; pass them as parameters");

    public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice) =>
        throw NotInteractive($"ask '{message}'; use -Confirm:$false or -Force");

    public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) =>
        throw NotInteractive("prompt for a credential");

    public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName,
        PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) =>
        throw NotInteractive("prompt for a credential");

    // The formatter styles table headers with VT sequences and leaves it to the host to drop them where they
    // mean nothing: files, pipes, journald.
    private string Plain(string value) => _plainOutput && value.Contains('\u001b') ? VtSequence().Replace(value, "") : value;

    [GeneratedRegex(@"\u001b\[[0-9;?]*[ -/]*[@-~]")]
    private static partial Regex VtSequence();

    private static PSInvalidOperationException NotInteractive(string what) =>
        new($"pipelineops runs non-interactively and cannot {what}.");

    private void Out(Action<TextWriter> write)
    {
        lock (_gate)
        {
            ClearProgressLine();
            write(_stdout);
            _stdout.Flush();
        }
    }

    private void Err(string line)
    {
        lock (_gate)
        {
            ClearProgressLine();
            _stderr.WriteLine(line);
            _stderr.Flush();
        }
    }

    private void ClearProgressLine()
    {
        if (_progressLineOpen)
        {
            _stderr.Write("\r" + new string(' ', Math.Max(20, _raw.BufferSize.Width - 1)) + "\r");
            _progressLineOpen = false;
        }
    }
}
