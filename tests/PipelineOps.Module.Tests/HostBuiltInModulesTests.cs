using PipelineOps.Module.Tests.Support;

namespace PipelineOps.Module.Tests;

/// <summary>
/// pipelineops hosts the full PowerShell SDK: the cmdlets of Microsoft.PowerShell.Utility, Management and Security
/// that nightly scripts and runbooks use work as they do in pwsh.
/// </summary>
public sealed class HostBuiltInModulesTests
{
    [Fact]
    public void Scripts_use_the_utility_management_and_security_cmdlets()
    {
        var dir = Directory.CreateTempSubdirectory("pipelineops-builtin-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "b.txt"), "hello\n");
            File.WriteAllText(Path.Combine(dir, "a.txt"), "x\n");
            var result = HostProcess.Run("-Command", $$"""
                Get-ChildItem -LiteralPath '{{dir}}' | Sort-Object Name | Select-Object -First 1 -ExpandProperty Name
                Get-Content -LiteralPath '{{dir}}/b.txt'
                Get-Date -Date '2025-11-14T10:00:00Z' -AsUTC -Format 'yyyy-MM-dd HH:mm'
                @{ answer = 42 } | ConvertTo-Json -Compress
                [pscustomobject]@{ Answer = 42 } | Format-List
                (Get-FileHash -LiteralPath '{{dir}}/b.txt' -Algorithm SHA256).Hash.Substring(0, 8)
                Start-Sleep -Milliseconds 1
                Write-Host 'from Write-Host'
                """);

            Assert.True(result.ExitCode == 0, result.Stderr);
            var lines = result.Stdout.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0).ToArray();
            Assert.Equal(["a.txt", "hello", "2025-11-14 10:00", """{"answer":42}""", "Answer : 42", "5891B5B5", "from Write-Host"], lines);
            Assert.Equal("", result.Stderr);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
