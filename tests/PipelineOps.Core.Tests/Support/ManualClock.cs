namespace PipelineOps.Tests.Support;

/// <summary>
/// A clock that moves only when told to, or when a timer is due: creating a timer advances the clock by its due
/// time and fires it, so code that waits on this clock finishes at once and the waits can be counted.
/// </summary>
public sealed class ManualClock : TimeProvider
{
    private DateTimeOffset _now;

    public ManualClock(DateTimeOffset start) => _now = start;

    public int TimersCreated { get; private set; }

    public TimeSpan TotalWaited { get; private set; }

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        TimersCreated++;
        TotalWaited += dueTime;
        _now += dueTime;
        ThreadPool.QueueUserWorkItem(_ => callback(state));
        return new NoTimer();
    }

    private sealed class NoTimer : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => true;

        public void Dispose()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
