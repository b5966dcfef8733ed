using PipelineOps.Tests.Support;
using PipelineOps.Collection;

namespace PipelineOps.Tests.Collection;

/// <summary>The pipeline caller's clock reads the system clock once per coarse tick, but never keeps a time within a
/// minute's last second, so a record is never filed in the period before its own.</summary>
public sealed class CoarseClockTests
{
    [Fact]
    public void A_time_is_kept_while_the_tick_stands_and_read_again_when_it_moves()
    {
        var time = new ManualClock(new DateTimeOffset(2026, 11, 29, 10, 0, 30, TimeSpan.Zero));
        var tick = 100L;
        var clock = new CoarseClock(time, () => tick);

        var first = clock.Now();
        time.Advance(TimeSpan.FromMilliseconds(3));
        Assert.Equal(first, clock.Now()); // same tick: the time read at its start

        tick++;
        Assert.Equal(first.AddMilliseconds(3), clock.Now());
    }

    [Fact]
    public void In_a_minutes_last_second_the_clock_is_read_every_time()
    {
        var time = new ManualClock(new DateTimeOffset(2026, 11, 29, 23, 59, 59, 995, TimeSpan.Zero));
        var clock = new CoarseClock(time, () => 7);

        Assert.Equal(59, clock.Now().Second);
        time.Advance(TimeSpan.FromMilliseconds(10)); // midnight, in the same tick
        Assert.Equal(new DateTimeOffset(2026, 11, 30, 0, 0, 0, 5, TimeSpan.Zero), clock.Now());
    }
}
