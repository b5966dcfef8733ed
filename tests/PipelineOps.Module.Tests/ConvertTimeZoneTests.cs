using PipelineOps.Module.Tests.Support;
using PipelineOps.Tests.Shared;

namespace PipelineOps.Module.Tests;

/// <summary>The machine's zone never decides a record's time or date partition.</summary>
public sealed class ConvertTimeZoneTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "pipelineops-tests", Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("", "date=2025-11-20", "2025-11-20T23:30:00Z")]
    [InlineData("-TimeZone America/New_York", "date=2025-11-21", "2025-11-21T04:30:00Z")]
    public void A_time_without_an_offset_is_UTC_in_a_process_whose_zone_is_New_York_unless_TimeZone_says_otherwise(
        string zone, string partition, string time)
    {
        var raw = Path.Combine(_root, "raw");
        Directory.CreateDirectory(raw);
        File.WriteAllText(Path.Combine(raw, "late_20251120.jsonl"), """{"time":"2025-11-20T23:30:00","v":1}""" + "\n");
        var destination = Path.Combine(_root, "dataset");

        using var host = HostProcess.Start(
            ["-Command", $"Convert-JsonlToParquet -LiteralPath '{raw}' -Destination '{destination}' -IncludeActive {zone} | Out-Null"],
            environment: new Dictionary<string, string> { ["TZ"] = "America/New_York" });
        var result = host.WaitForExit();

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal([partition], Directory.GetDirectories(destination, "date=*").Select(Path.GetFileName));
        Assert.Equal(time, DuckDb.Scalar(
            $"select strftime(time at time zone 'UTC', '%Y-%m-%dT%H:%M:%SZ') from {DuckDb.Dataset(destination)}"));
    }
}
