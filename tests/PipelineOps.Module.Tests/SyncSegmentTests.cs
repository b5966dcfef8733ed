using System.Security.Cryptography;
using PipelineOps.Module.Tests.Support;

namespace PipelineOps.Module.Tests;

/// <summary>Sync-Segment in a pipelineops process killed with SIGKILL mid-file, then run again.</summary>
public sealed class SyncSegmentTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "pipelineops-tests", "sync-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public void A_copy_killed_mid_file_leaves_no_partial_file_under_a_final_name_and_a_rerun_completes_it()
    {
        var source = Path.Combine(_dir, "ready");
        var target = Path.Combine(_dir, "nas");
        var random = new Random(19);
        for (var i = 0; i < 4; i++)
        {
            var path = Path.Combine(source, "tick", $"k={i % 2}", $"tick_20261128_{i:D4}.parquet");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var bytes = new byte[32 * 1024 * 1024];
            random.NextBytes(bytes);
            File.WriteAllBytes(path, bytes);
        }

        var sync = $"Sync-Segment -Path '{source}' -Destination '{target}' -ThrottleLimit 1 | Out-Null";
        using (var host = HostProcess.Start(["-Command", sync]))
        {
            // Kill as soon as a temporary copy is being written.
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (DateTime.UtcNow < deadline && !(Directory.Exists(target)
                       && Directory.EnumerateFiles(target, ".*.tmp-*", SearchOption.AllDirectories).Any(f => new FileInfo(f).Length > 0)))
            {
                Thread.Sleep(5);
            }

            host.KillHard();
        }

        foreach (var copied in Directory.EnumerateFiles(target, "*.parquet", SearchOption.AllDirectories))
        {
            Assert.Equal(Hash(Path.Combine(source, Path.GetRelativePath(target, copied))), Hash(copied)); // whole, or not there
        }

        using var ps = new PowerShellSession();
        var rerun = ps.Run("Sync-Segment -Path $s -Destination $d -RemoveSource", ("s", source), ("d", target));

        Assert.Empty(rerun.Errors);
        Assert.Equal(4, rerun.Output.Count);
        Assert.Empty(Directory.EnumerateFiles(target, ".*", SearchOption.AllDirectories)); // the killed run's temporary copy is gone
        Assert.Empty(Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories)); // each removed after its copy was verified
        Assert.Equal(4, Directory.EnumerateFiles(target, "*.parquet", SearchOption.AllDirectories).Count());
        Assert.All(rerun.Output, r => Assert.Equal((string?)r.Properties["Sha256"].Value, Hash((string)r.Properties["Destination"].Value)));
    }

    private static string Hash(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
