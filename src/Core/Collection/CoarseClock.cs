namespace PipelineOps.Collection;

/// <summary>
/// The system clock for a record a pipeline caller writes, read again only when the coarse tick moves (every 1-10 ms)
/// or in a minute's last second. Reading the system clock cost about 30 ns on the development machine, a tenth of a
/// record's work; the tick costs 5. A time kept from an earlier tick is at most one tick old, and never within the
/// second before a whole minute, where periods (hours, days) begin: no record is filed in the period before its own.
/// </summary>
internal sealed class CoarseClock(TimeProvider clock, Func<long>? tick = null)
{
    private readonly Func<long>? _tick = tick; // a test's; else Environment.TickCount64, called directly
    private DateTimeOffset _now;
    private long _at = long.MinValue;
    private bool _inLastSecond; // _now is in a minute's last second: read again every time

    public DateTimeOffset Now()
    {
        var tick = _tick is null ? Environment.TickCount64 : _tick();
        if (tick != _at || _inLastSecond)
        {
            _now = clock.GetUtcNow();
            _at = tick;
            _inLastSecond = _now.Second == 59;
        }

        return _now;
    }
}
