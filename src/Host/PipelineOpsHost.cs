using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;

namespace PipelineOps.Host;

/// <summary>The PSHost behind pipelineops: a non-interactive console host for scripts and service units.</summary>
internal sealed class PipelineOpsHost : PSHost
{
    private readonly HostUserInterface _ui;
    private readonly CultureInfo _culture = CultureInfo.CurrentCulture;
    private readonly CultureInfo _uiCulture = CultureInfo.CurrentUICulture;

    public PipelineOpsHost(TextWriter stdout, TextWriter stderr) => _ui = new HostUserInterface(stdout, stderr);

    public override string Name => "pipelineops";

    public override Version Version => typeof(PipelineOpsHost).Assembly.GetName().Version ?? new Version(0, 0);

    public override Guid InstanceId { get; } = Guid.NewGuid();

    public override PSHostUserInterface UI => _ui;

    public override CultureInfo CurrentCulture => _culture;

    public override CultureInfo CurrentUICulture => _uiCulture;

    /// <summary>Set by a top-level <c>exit N</c>.</summary>
    public int? ExitCode { get; private set; }

    public override void SetShouldExit(int exitCode) => ExitCode = exitCode;

    public override void EnterNestedPrompt() =>
        throw new NotSupportedException("pipelineops runs scripts non-interactively and has no nested prompt.");

    public override void ExitNestedPrompt() =>
        throw new NotSupportedException("pipelineops runs scripts non-interactively and has no nested prompt.");

    public override void NotifyBeginApplication()
    {
    }

    public override void NotifyEndApplication()
    {
    }

    public void ShowError(ErrorRecord record) => _ui.WriteErrorRecord(record);

    public void FinishProgress() => _ui.FinishProgress();
}
