using PipelineOps.Files;
using PipelineOps.Tests.Support;

namespace PipelineOps.Tests.Files;

public sealed class FileActivityBatchTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2025, 11, 14, 12, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();
    private readonly ManualClock _clock = new(Now);

    public void Dispose() => _dir.Dispose();

    private FileActivityBatch Batch(TimeSpan? window) =>
        new(new FileActivityInspector(new FileActivityOptions { StabilityWindow = window, QuietPeriod = TimeSpan.Zero },
            _clock, UnavailableWriterProbe.Instance), _clock);

    [Fact]
    public void Without_a_window_each_file_is_answered_at_once()
    {
        var batch = Batch(window: null);

        Assert.NotNull(batch.Add(new FileInfo(_dir.File("a.txt", "x\n"))));
        Assert.Equal(0, batch.PendingCount);
    }

    [Fact]
    public async Task Files_that_change_during_the_window_are_Growing_and_the_rest_are_not()
    {
        var growing = _dir.File("growing.jsonl", "{}\n");
        var still = _dir.File("still.jsonl", "{}\n");
        var batch = Batch(TimeSpan.FromSeconds(5));

        Assert.Null(batch.Add(new FileInfo(growing)));
        Assert.Null(batch.Add(new FileInfo(still)));
        File.AppendAllText(growing, "{}\n");
        await batch.WaitForWindowAsync(CancellationToken.None);
        var results = batch.DrainPending().ToDictionary(r => Path.GetFileName(r.Path), r => r.Activity!);

        Assert.Equal([ActivityReason.Growing], results["growing.jsonl"].Reasons);
        Assert.Empty(results["still.jsonl"].Reasons);
        Assert.Equal(0, batch.PendingCount);
    }

    [Fact]
    public async Task The_window_is_waited_once_per_call_not_once_per_file()
    {
        var batch = Batch(TimeSpan.FromSeconds(10));
        for (var i = 0; i < 50; i++)
        {
            batch.Add(new FileInfo(_dir.File($"f{i}.txt", "x\n")));
        }

        _clock.Advance(TimeSpan.FromSeconds(4)); // time spent feeding files counts toward the window
        await batch.WaitForWindowAsync(CancellationToken.None);

        Assert.Equal(1, _clock.TimersCreated);
        Assert.Equal(TimeSpan.FromSeconds(6), _clock.TotalWaited);
        Assert.Equal(50, batch.DrainPending().Count());
    }

    [Fact]
    public async Task A_file_that_vanishes_during_the_window_is_an_error_for_that_file_only()
    {
        var gone = _dir.File("gone.txt", "x\n");
        var kept = _dir.File("kept.txt", "x\n");
        var batch = Batch(TimeSpan.FromSeconds(1));
        batch.Add(new FileInfo(gone));
        batch.Add(new FileInfo(kept));
        File.Delete(gone);

        await batch.WaitForWindowAsync(CancellationToken.None);
        var results = batch.DrainPending().ToList();

        Assert.IsType<FileNotFoundException>(results.Single(r => r.Path == gone).Error);
        Assert.NotNull(results.Single(r => r.Path == kept).Activity);
    }
}
