using PipelineOps.Module.Tests.Support;

namespace PipelineOps.Module.Tests;

/// <summary>
/// Unreadable files and folders, and processes the caller may not inspect, as an unprivileged operator meets
/// them. Under root (CI) pipelineops is started as "nobody", so the kernel really refuses.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PermissionTests : IDisposable
{
    private readonly SampleData _data = new();

    public void Dispose()
    {
        foreach (var dir in Directory.EnumerateDirectories(_data.Root))
        {
            File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        _data.Dispose();
    }

    [Fact]
    public void Unreadable_files_and_folders_are_named_errors_and_the_rest_is_answered()
    {
        var locked = Path.Combine(_data.Root, "locked");
        _data.Write("locked/inside.txt", "x\n");
        File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var secret = _data.Write("secret.txt", "x\n");
        File.SetUnixFileMode(secret, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var script = $"""
            $r = Test-FileActive '{_data.Root}' -Recurse -ErrorVariable failures -ErrorAction SilentlyContinue
            $failures | ForEach-Object {"{"} 'error=' + $_.FullyQualifiedErrorId.Split(',')[0] + '|' + $_.TargetObject {"}"}
            'answered=' + @($r).Count
            'writercheck=' + @($r.WriterCheck)
            """;

        using var host = HostProcess.Start(["-Command", script], runAs: Environment.IsPrivilegedProcess ? "65534" : null);
        var result = host.WaitForExit();

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains($"error=DirectoryUnreadable|{locked}", result.Stdout, StringComparison.Ordinal);
        Assert.Contains($"error=FileUnreadable|{secret}", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("answered=" + (SampleData.TopLevelFileCount + 1), result.Stdout, StringComparison.Ordinal); // + archive/
        Assert.Matches(@"writercheck=Partial( Partial)*\s", result.Stdout);
    }
}
