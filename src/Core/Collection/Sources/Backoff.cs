namespace PipelineOps.Collection.Sources;

/// <summary>Exponential backoff with jitter, capped: 1 s, 2 s, 4 s ... up to the cap, each 50-100% of its step, so
/// many collectors cut off at once do not reconnect in lockstep.</summary>
public sealed class Backoff(TimeSpan initial, TimeSpan cap)
{
    private int _attempt;

    public TimeSpan Next()
    {
        var step = Math.Min(cap.TotalMilliseconds, initial.TotalMilliseconds * Math.Pow(2, Math.Min(_attempt++, 30)));
        return TimeSpan.FromMilliseconds(step * (0.5 + Random.Shared.NextDouble() / 2));
    }

    /// <summary>Delays handed out since the last <see cref="Reset"/>: the number of the attempt the last one waits for.</summary>
    public int Attempts => _attempt;

    public void Reset() => _attempt = 0;
}
