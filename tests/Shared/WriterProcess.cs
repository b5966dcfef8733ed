using System.Diagnostics;

namespace PipelineOps.Tests.Shared;

/// <summary>
/// A real process that writes to a file, for tests of "is something writing this?": one holds the file open for
/// appending and sleeps, the other keeps appending lines. Killed on dispose.
/// </summary>
public sealed class WriterProcess : IDisposable
{
    private readonly Process _process;

    private WriterProcess(string script, string path)
    {
        _process = Process.Start(new ProcessStartInfo("/bin/sh")
        {
            ArgumentList = { "-c", script, path },
            RedirectStandardOutput = true,
        })!;
        if (_process.StandardOutput.ReadLine() != "ready")
        {
            throw new InvalidOperationException("The writer process did not start.");
        }
    }

    public int Id => _process.Id;

    /// <summary>A process named "sleep" holding <paramref name="path"/> open for appending.</summary>
    public static WriterProcess HoldOpen(string path)
    {
        var writer = new WriterProcess("exec 3>>\"$0\"; echo ready; exec sleep 600", path);
        writer.WaitUntilNamed("sleep"); // "ready" comes from the shell just before it becomes sleep
        return writer;
    }

    /// <summary>A process appending a line to <paramref name="path"/> every 50 ms.</summary>
    public static WriterProcess KeepAppending(string path) =>
        new("echo ready; while true; do echo '{}' >> \"$0\"; sleep 0.05; done", path);

    private void WaitUntilNamed(string name)
    {
        for (var i = 0; i < 500 && File.ReadAllText($"/proc/{Id}/comm").Trim() != name; i++)
        {
            Thread.Sleep(10);
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        _process.WaitForExit();
        _process.Dispose();
    }
}
