using PipelineOps.Scheduling;
using Quartz;
using TimeZones = PipelineOps.Scheduling.TimeZones;

namespace PipelineOps.Tests.Scheduling;

/// <summary>When triggers fire, computed from the trigger itself: no clock, no waiting.</summary>
public sealed class ScheduleTests
{
    private static readonly JobKey Key = new("job", "PipelineOps");

    private static List<DateTimeOffset> Firings(JobSchedule schedule, DateTimeOffset from, DateTimeOffset to)
    {
        var trigger = (Quartz.Extensibility.IOperableTrigger)(schedule with { StartAt = schedule.StartAt ?? from }).BuildTrigger(Key, TimeProvider.System);
        var firings = new List<DateTimeOffset>();
        var next = trigger.GetFireTimeAfter(from.AddTicks(-1));
        while (next is { } at && at < to)
        {
            firings.Add(at);
            next = trigger.GetFireTimeAfter(at);
        }

        return firings;
    }

    [Theory]
    [InlineData("Europe/London", "2026-03-29", "01:30")] // clocks go 01:00 -> 02:00: 01:30 does not exist
    [InlineData("Europe/London", "2026-10-25", "01:30")] // clocks go 02:00 -> 01:00: 01:30 happens twice
    [InlineData("America/New_York", "2026-03-08", "02:30")]
    [InlineData("America/New_York", "2026-11-01", "01:30")]
    [InlineData("Europe/London", "2026-03-29", "00:05")]
    [InlineData("America/New_York", "2026-11-01", "00:05")]
    public void A_daily_job_runs_exactly_once_on_a_transition_day(string zoneId, string day, string at)
    {
        var zone = TimeZones.Find(zoneId);
        var date = DateOnly.Parse(day, System.Globalization.CultureInfo.InvariantCulture);
        var from = new DateTimeOffset(date.AddDays(-2).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var firings = Firings(JobSchedule.Daily(TimeOnly.Parse(at, System.Globalization.CultureInfo.InvariantCulture), zone), from, from.AddDays(5));

        var localDays = firings.Select(f => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(f, zone).DateTime)).ToList();
        Assert.Equal(localDays.Distinct().Count(), localDays.Count);
        Assert.Single(localDays, d => d == date);
        Assert.Equal(3, localDays.Count(d => d >= date.AddDays(-1) && d <= date.AddDays(1)));

        var onTheDay = TimeZoneInfo.ConvertTime(firings.Single(f => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(f, zone).DateTime) == date), zone);
        var wanted = TimeOnly.Parse(at, System.Globalization.CultureInfo.InvariantCulture);
        if (zone.IsInvalidTime(date.ToDateTime(wanted)))
        {
            // The skipped hour fires at the next valid instant: the end of the gap.
            Assert.True(TimeOnly.FromDateTime(onTheDay.DateTime) > wanted);
            Assert.True(TimeOnly.FromDateTime(onTheDay.DateTime) <= wanted.AddHours(1));
        }
        else
        {
            Assert.Equal(wanted, TimeOnly.FromDateTime(onTheDay.DateTime));
        }
    }

    [Fact]
    public void Unix_cron_has_five_fields_and_numbers_sunday_zero()
    {
        var schedule = JobSchedule.Cron("5 0 * * 0", TimeZoneInfo.Utc);
        var from = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero); // a Sunday
        var firings = Firings(schedule, from, from.AddDays(15));
        Assert.Equal(
            [new DateTimeOffset(2026, 11, 1, 0, 5, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 8, 0, 5, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 15, 0, 5, 0, TimeSpan.Zero)],
            firings);
    }

    [Fact]
    public void Quartz_cron_has_seconds_first()
    {
        var from = new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero);
        var firings = Firings(JobSchedule.Cron("30 */15 * * * ?", TimeZoneInfo.Utc), from, from.AddHours(1));
        Assert.Equal(4, firings.Count);
        Assert.All(firings, f => Assert.Equal(30, f.Second));
    }

    [Theory]
    [InlineData("61 * * * *")]
    [InlineData("* * * *")]
    [InlineData("0 0 0 0 0 0 0 0")]
    [InlineData("0 5 * * 8")]
    public void Bad_cron_is_refused_with_the_expression_named(string expression)
    {
        var error = Assert.Throws<FormatException>(() => JobSchedule.Cron(expression, TimeZoneInfo.Utc));
        Assert.Contains(expression, error.Message);
    }

    [Fact]
    public void Every_fires_at_its_interval_and_within_the_window()
    {
        var from = new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero);
        var schedule = JobSchedule.Every(TimeSpan.FromMinutes(5), TimeZoneInfo.Utc) with { StartAt = from, EndAt = from.AddMinutes(30) };
        var firings = Firings(schedule, from, from.AddHours(2));
        Assert.Equal(7, firings.Count);
        Assert.Equal(from.AddMinutes(30), firings[^1]);
    }

    [Theory]
    [InlineData("Europe/London")]
    [InlineData("GMT Standard Time")]
    [InlineData("America/New_York")]
    [InlineData("Eastern Standard Time")]
    [InlineData("UTC")]
    public void Zones_are_found_by_IANA_or_Windows_id(string id) => Assert.NotNull(TimeZones.Find(id));

    [Fact]
    public void An_unknown_zone_is_named_in_the_error()
    {
        var error = Assert.Throws<TimeZoneNotFoundException>(() => TimeZones.Find("Mars/Olympus_Mons"));
        Assert.Contains("Mars/Olympus_Mons", error.Message);
    }
}
