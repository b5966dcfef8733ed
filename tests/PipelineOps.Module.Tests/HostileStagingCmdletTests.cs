using System.Diagnostics;
using System.Management.Automation;
using System.Text;
using PipelineOps.Module.Tests.Support;
using PipelineOps.Tests.Shared;

namespace PipelineOps.Module.Tests;

/// <summary>Issue 14 through the cmdlets: links met in folders are refused unless -FollowSymlink, and the staging flow
/// over a hostile raw folder reads nothing outside and answers for every file.</summary>
public sealed class HostileStagingCmdletTests : IDisposable
{
    private static readonly DateTime Old = new(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private readonly PowerShellSession _ps = new();
    private readonly string _temp = Path.Combine(Path.GetTempPath(), "pipelineops-tests", "hostile-" + Guid.NewGuid().ToString("N"));
    private readonly string _canary = "CANARY-" + Guid.NewGuid().ToString("N");

    public HostileStagingCmdletTests() => Directory.CreateDirectory(_temp);

    public void Dispose()
    {
        _ps.Dispose();
        Directory.Delete(_temp, recursive: true);
    }

    private static string Prop(PSObject o, string name) => o.Properties[name].Value?.ToString() ?? "";

    private string Path_(params string[] parts) => Path.Combine([_temp, .. parts]);

    /// <summary>A Parquet file outside the folder, and a symbolic link to it inside.</summary>
    private (string Folder, string Link) LinkedParquet()
    {
        var target = Path_("target", "real.parquet");
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        DuckDb.Query($"COPY (SELECT 7 AS id, 'x' AS v) TO '{target}' (FORMAT parquet)");
        var folder = Path_("folder");
        Directory.CreateDirectory(folder);
        var link = Path.Combine(folder, "link.parquet");
        File.CreateSymbolicLink(link, target);
        return (folder, link);
    }

    [Fact]
    public void Test_ParquetFile_refuses_a_link_met_in_a_folder_unless_FollowSymlink_and_follows_a_named_link()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var (folder, link) = LinkedParquet();

        var refused = _ps.Run("Test-ParquetFile -LiteralPath $f -Deep", ("f", folder));
        var followed = _ps.Run("Test-ParquetFile -LiteralPath $f -Deep -FollowSymlink", ("f", folder));
        var named = _ps.Run("Test-ParquetFile -LiteralPath $f -Deep", ("f", link));

        var report = Assert.Single(refused.Output);
        Assert.Equal(false, report.Properties["IsValid"].Value);
        Assert.Contains("symbolic link", Prop(report, "Problem"), StringComparison.Ordinal);
        Assert.Single(refused.Errors);
        Assert.Empty(followed.Errors);
        Assert.Equal(true, Assert.Single(followed.Output).Properties["IsValid"].Value);
        Assert.Equal(1L, followed.Output[0].Properties["Rows"].Value);
        Assert.Equal(true, Assert.Single(named.Output).Properties["IsValid"].Value);
    }

    [Fact]
    public void Test_ParquetFile_refuses_a_hard_linked_file_met_in_a_folder_unless_FollowSymlink()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        // A second name inside the folder for a file outside it: nothing in the folder tells it from its own files
        // except its link count, as for New-DataSample.
        var target = Path_("elsewhere", "outside.parquet");
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        DuckDb.Query($"COPY (SELECT 7 AS id) TO '{target}' (FORMAT parquet)");
        var folder = Path_("hard");
        Directory.CreateDirectory(folder);
        DuckDb.Query($"COPY (SELECT 1 AS id) TO '{Path.Combine(folder, "own.parquet")}' (FORMAT parquet)");
        var link = Path.Combine(folder, "second-name.parquet");
        using (var ln = Process.Start("ln", [target, link]))
        {
            ln.WaitForExit();
            Assert.Equal(0, ln.ExitCode);
        }

        var walked = _ps.Run("Test-ParquetFile -LiteralPath $f -Deep | Sort-Object Path", ("f", folder));
        var followed = _ps.Run("Test-ParquetFile -LiteralPath $f -Deep -FollowSymlink", ("f", folder));
        var named = _ps.Run("Test-ParquetFile -LiteralPath $f -Deep", ("f", link));

        Assert.Equal(2, walked.Output.Count);
        Assert.Equal(true, walked.Output.Single(r => Prop(r, "Path").EndsWith("own.parquet", StringComparison.Ordinal)).Properties["IsValid"].Value);
        var refused = walked.Output.Single(r => Prop(r, "Path").EndsWith("second-name.parquet", StringComparison.Ordinal));
        Assert.Equal(false, refused.Properties["IsValid"].Value);
        Assert.Contains("hard links", Prop(refused, "Problem"), StringComparison.Ordinal);
        Assert.Single(walked.Errors);
        Assert.Empty(followed.Errors);
        Assert.All(followed.Output, r => Assert.Equal(true, r.Properties["IsValid"].Value));
        Assert.Equal(true, Assert.Single(named.Output).Properties["IsValid"].Value); // a file the user names is read
    }

    [Fact]
    public void New_DataSample_refuses_a_link_met_in_a_folder_unless_FollowSymlink_and_follows_a_named_link()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var (folder, link) = LinkedParquet();
        var samples = Path_("samples");
        Directory.CreateDirectory(samples);

        var refused = _ps.Run("New-DataSample -LiteralPath $f -Destination $d", ("f", folder), ("d", samples));
        Assert.False(File.Exists(Path.Combine(samples, "link_sample.parquet")));
        var followed = _ps.Run("New-DataSample -LiteralPath $f -Destination $d -FollowSymlink -Force", ("f", folder), ("d", samples));
        var named = _ps.Run("New-DataSample -LiteralPath $f -Destination $d -Force", ("f", link), ("d", samples));

        var result = Assert.Single(refused.Output);
        Assert.Equal("Failed", Prop(result, "Status"));
        Assert.Contains("symbolic link", Prop(result, "Reason"), StringComparison.Ordinal);
        Assert.Single(refused.Errors);
        Assert.Equal("Sampled", Prop(Assert.Single(followed.Output), "Status"));
        Assert.Equal(7, Convert.ToInt32(DuckDb.Scalar($"SELECT id FROM read_parquet('{Prop(followed.Output[0], "Sample")}')")));
        Assert.Equal("Sampled", Prop(Assert.Single(named.Output), "Status"));
    }

    [Fact]
    public void The_staging_flow_as_typed_reads_nothing_outside_and_answers_for_every_file()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var canary = Path_("outside", "canary.csv");
        Directory.CreateDirectory(Path.GetDirectoryName(canary)!);
        File.WriteAllText(canary, $"id,secret\n1,{_canary}\n");
        var raw = Path_("raw");
        Directory.CreateDirectory(raw);
        File.WriteAllText(Path.Combine(raw, "ok.csv"), "id,v\n1,a\n2,b\n");
        var good = Path.Combine(raw, "ok.parquet");
        DuckDb.Query($"COPY (SELECT range AS id FROM range(100)) TO '{good}' (FORMAT parquet)");
        var bytes = File.ReadAllBytes(good);
        for (var i = 0; i < 8; i++)
        {
            var damaged = (byte[])bytes.Clone();
            damaged[(long)i * (bytes.Length - 1) / 7] ^= 0xA5;
            File.WriteAllBytes(Path.Combine(raw, $"damaged-{i}.parquet"), damaged);
        }

        File.CreateSymbolicLink(Path.Combine(raw, "out-link.csv"), canary);
        File.CreateSymbolicLink(Path.Combine(raw, "dangling.csv"), Path_("outside", "none.csv"));
        File.CreateSymbolicLink(Path.Combine(raw, "loop.csv"), Path.Combine(raw, "loop.csv"));
        Run("ln", canary, Path.Combine(raw, "hard.csv"));
        Run("mkfifo", Path.Combine(raw, "fifo.csv"));
        foreach (var file in Directory.EnumerateFiles(raw).Where(f => new FileInfo(f).LinkTarget is null && !f.EndsWith("fifo.csv", StringComparison.Ordinal)))
        {
            File.SetLastWriteTimeUtc(file, Old);
        }

        var entries = Directory.EnumerateFileSystemEntries(raw).Count();
        var root = Path_("data");
        var dataset = Path.Combine(root, "sp", "gics", "1.0");

        var published = _ps.Run("Copy-ToBronze -LiteralPath $raw -Recurse -RawRoot $raw -Root $root -Vendor sp -Dataset gics -Version 1.0 -Verify",
            ("raw", raw), ("root", root));
        var passed = _ps.Run("Invoke-StagingSampler -Root $root -Vendor sp -Dataset gics -Version 1.0 -Rows 3", ("root", root));
        var sampled = _ps.Run("New-DataSample -LiteralPath $raw -Destination $d -Rows 3", ("raw", raw), ("d", Path_("samples")));
        var checkedFiles = _ps.Run("Test-ParquetFile -LiteralPath $raw, $ds -Recurse -Deep", ("raw", raw), ("ds", dataset));

        var byName = published.Output.ToDictionary(o => Path.GetFileName(Prop(o, "Raw")));
        Assert.Equal(entries, byName.Count + published.Errors.Count(e => !byName.ContainsKey(Path.GetFileName(e.TargetObject?.ToString() ?? ""))));
        foreach (var name in new[] { "out-link.csv", "dangling.csv", "loop.csv", "hard.csv", "fifo.csv" })
        {
            if (byName.TryGetValue(name, out var result))
            {
                Assert.True(Prop(result, "Status") is "Failed" or "Skipped", $"{name}: {Prop(result, "Status")} {Prop(result, "Reason")}");
            }
        }

        Assert.Equal("Copied", Prop(byName["ok.csv"], "Status"));
        var manifestLines = File.ReadAllLines(Path.Combine(dataset, "manifests", "processed.jsonl")).Length;
        Assert.Equal(manifestLines, passed.Output.Count);
        Assert.Equal(entries, sampled.Output.Count + sampled.Errors.Count(e => e.FullyQualifiedErrorId.StartsWith("PathNotFound", StringComparison.Ordinal)));
        Assert.True(checkedFiles.Output.Count >= 9 + 8, $"{checkedFiles.Output.Count} reports");

        var outputs = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Concat(Directory.EnumerateFiles(Path_("samples"), "*", SearchOption.AllDirectories));
        Assert.All(outputs, f => Assert.DoesNotContain(_canary, Encoding.UTF8.GetString(File.ReadAllBytes(f)), StringComparison.Ordinal));
        Assert.Equal(["canary.csv"], Directory.EnumerateFileSystemEntries(Path_("outside")).Select(f => Path.GetFileName(f)!).ToArray());
    }

    private static void Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }
}
