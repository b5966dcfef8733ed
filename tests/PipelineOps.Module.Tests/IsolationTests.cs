using PipelineOps.Module.Tests.Support;

namespace PipelineOps.Module.Tests;

/// <summary>
/// The module keeps working in a session that already loaded other versions of its dependencies, and its engine
/// binds to its own copies. Runs in a fresh pipelineops process so nothing else has loaded the module yet.
/// </summary>
public sealed class IsolationTests
{
    [Fact]
    public void Other_versions_loaded_first_do_not_displace_the_modules_own()
    {
        var otherCompress = Repo.Metadata("OtherSharpCompress");
        var otherLogging = Repo.Metadata("OtherLoggingAbstractions");
        var script = $$"""
            $first = [System.Reflection.Assembly]::LoadFrom('{{otherCompress}}')
            $null = [System.Reflection.Assembly]::LoadFrom('{{otherLogging}}')
            'preloaded=' + $first.GetName().Version
            Import-Module '{{Repo.ModuleManifest}}'
            Get-PipelineOpsDependency | ForEach-Object { 'dep={0}|{1}|{2}|{3}' -f $_.Name, $_.Version, $_.LoadContext, $_.Location }
            'active=' + (Test-FileActive -LiteralPath '{{Repo.ModuleManifest}}' -QuietPeriod 0 -Quiet)
            'copies=' + @([System.AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'SharpCompress' }).Count
            """;

        var result = HostProcess.Run("-NoModule", "-Command", script);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("preloaded=0.48.1.0", result.Stdout, StringComparison.Ordinal);
        var deps = result.Stdout.Split('\n').Where(l => l.StartsWith("dep=", StringComparison.Ordinal))
            .Select(l => l[4..].Trim().Split('|')).ToDictionary(p => p[0]);
        var dependencyDir = Path.Combine(Path.GetDirectoryName(Repo.ModuleManifest)!, "dependencies");
        Assert.Equal("0.50.8", deps["SharpCompress"][1]);
        Assert.Equal("10.0.0", deps["Microsoft.Extensions.Logging.Abstractions"][1]);
        Assert.Equal("6.1.0", deps["Parquet"][1]);
        Assert.All(deps.Values, d =>
        {
            Assert.Equal("PipelineOps", d[2]);
            Assert.StartsWith(dependencyDir, d[3], StringComparison.Ordinal);
        });
        Assert.Contains("active=False", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("copies=2", result.Stdout, StringComparison.Ordinal);
    }
}
