namespace PipelineOps.Paths;

/// <summary>Says when a progress record is due: at most every 250 ms, as callers report far more often than a screen
/// can show.</summary>
internal sealed class ProgressThrottle(Func<DateTime>? now = null)
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);
    private readonly Func<DateTime> _now = now ?? (() => DateTime.UtcNow);
    private DateTime _last;

    public bool Due()
    {
        var now = _now();
        if (now - _last < Interval)
        {
            return false;
        }

        _last = now;
        return true;
    }
}
