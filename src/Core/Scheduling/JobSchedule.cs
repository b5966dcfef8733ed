using System.Globalization;
using Quartz;

namespace PipelineOps.Scheduling;

/// <summary>How a job's firings are spelled.</summary>
public enum ScheduleKind
{
    Cron,
    Daily,
    Every,
    Once,
}

/// <summary>
/// When a job fires: a cron expression (Quartz's 6/7 fields or the classic 5-field Unix form), a daily local time,
/// a fixed interval or a single instant, in a named zone, optionally within [StartAt, EndAt].
/// </summary>
/// <remarks>Daily times are cron expressions underneath, so a day whose local time does not exist (the spring gap)
/// fires at the end of the gap and a time that happens twice (the autumn overlap) fires at its first occurrence:
/// exactly once per day either way.</remarks>
public sealed record JobSchedule
{
    private JobSchedule(ScheduleKind kind, string text, TimeZoneInfo zone)
    {
        Kind = kind;
        Text = text;
        TimeZone = zone;
    }

    public ScheduleKind Kind { get; }

    /// <summary>What the user wrote: the cron expression, "00:05", "00:05:00" interval text or the instant.</summary>
    public string Text { get; }

    public TimeZoneInfo TimeZone { get; }

    public DateTimeOffset? StartAt { get; init; }

    public DateTimeOffset? EndAt { get; init; }

    /// <summary>The Quartz cron expression a Cron or Daily schedule runs on.</summary>
    public string? CronExpression { get; private init; }

    public CronFormat CronFormat { get; private init; } = CronFormat.Quartz;

    public TimeSpan Interval { get; private init; }

    public static JobSchedule Cron(string expression, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(expression);
        var trimmed = expression.Trim();
        var fields = trimmed.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
        var format = fields == 5 && !trimmed.StartsWith('@') ? CronFormat.Unix : CronFormat.Quartz;
        if (!trimmed.StartsWith('@') && fields is not (5 or 6 or 7))
        {
            throw new FormatException($"The cron expression '{expression}' has {fields} fields; give 5 (minute hour day-of-month month day-of-week, as crontab) or Quartz's 6 or 7 (seconds first, optional year).");
        }

        try
        {
            _ = Quartz.CronExpression.Parse(trimmed, format);
        }
        catch (FormatException e)
        {
            throw new FormatException($"The cron expression '{expression}' is not valid: {e.Message}", e);
        }

        return new JobSchedule(ScheduleKind.Cron, trimmed, zone) { CronExpression = trimmed, CronFormat = format };
    }

    public static JobSchedule Daily(TimeOnly at, TimeZoneInfo zone)
    {
        var cron = string.Create(CultureInfo.InvariantCulture, $"{at.Second} {at.Minute} {at.Hour} ? * *");
        return new JobSchedule(ScheduleKind.Daily, at.ToString(at.Second == 0 ? "HH\\:mm" : "HH\\:mm\\:ss", CultureInfo.InvariantCulture), zone) { CronExpression = cron };
    }

    public static JobSchedule Every(TimeSpan interval, TimeZoneInfo zone)
    {
        if (interval < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentOutOfRangeException(nameof(interval), interval, "The interval must be at least one second.");
        }

        return new JobSchedule(ScheduleKind.Every, interval.ToString("c", CultureInfo.InvariantCulture), zone) { Interval = interval };
    }

    public static JobSchedule Once(DateTimeOffset at, TimeZoneInfo zone) =>
        new(ScheduleKind.Once, at.ToUniversalTime().ToString("o", CultureInfo.InvariantCulture), zone) { StartAt = at };

    /// <summary>A short text for tables: "cron 0 5 0 * * ?", "daily 00:05", "every 00:05:00", "once 2026-...".</summary>
    public string Describe() => Kind switch
    {
        ScheduleKind.Cron => "cron " + Text,
        ScheduleKind.Daily => "daily " + Text,
        ScheduleKind.Every => "every " + Text,
        _ => "once " + Text,
    };

    /// <summary>The Quartz trigger for a job. Misfires (the scheduler was not running when a firing came due) fire
    /// once when it comes back, however many were missed; a firing that comes while the previous run is still going
    /// is skipped.</summary>
    internal ITrigger BuildTrigger(JobKey job, TimeProvider time)
    {
        var builder = TriggerBuilder.Create(time)
            .WithIdentity(job.Name, job.Group)
            .ForJob(job)
            .WithOverlapPolicy(OverlapPolicy.Skip);
        IScheduleBuilder schedule = Kind switch
        {
            ScheduleKind.Cron or ScheduleKind.Daily => CronScheduleBuilder.Create(CronExpression!, CronFormat)
                .InTimeZone(TimeZone)
                .WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed),
            ScheduleKind.Every => SimpleScheduleBuilder.Create()
                .WithInterval(Interval)
                .RepeatForever()
                .WithMisfireInstruction(SimpleTriggerMisfireInstruction.NowWithExistingCount),
            _ => SimpleScheduleBuilder.Create()
                .WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow),
        };
        builder = builder.WithSchedule(schedule);
        builder = StartAt is { } start ? builder.StartAt(start) : builder.StartNow();
        if (EndAt is { } end)
        {
            builder = builder.EndAt(end);
        }

        return builder.Build();
    }

    internal static JobSchedule FromData(IReadOnlyDictionary<string, string> data)
    {
        var zone = TimeZones.Find(data["zone"]);
        var text = data["text"];
        var schedule = Enum.Parse<ScheduleKind>(data["kind"]) switch
        {
            ScheduleKind.Cron => Cron(text, zone),
            ScheduleKind.Daily => Daily(TimeOnly.Parse(text, CultureInfo.InvariantCulture), zone),
            ScheduleKind.Every => Every(TimeSpan.Parse(text, CultureInfo.InvariantCulture), zone),
            _ => Once(DateTimeOffset.Parse(text, CultureInfo.InvariantCulture), zone),
        };
        return schedule with
        {
            StartAt = data.TryGetValue("start", out var s) && s.Length > 0 ? DateTimeOffset.Parse(s, CultureInfo.InvariantCulture) : schedule.StartAt,
            EndAt = data.TryGetValue("end", out var e) && e.Length > 0 ? DateTimeOffset.Parse(e, CultureInfo.InvariantCulture) : null,
        };
    }

    internal void ToData(IDictionary<string, string> data)
    {
        data["kind"] = Kind.ToString();
        data["text"] = Text;
        data["zone"] = TimeZone.Id;
        data["start"] = StartAt?.ToString("o", CultureInfo.InvariantCulture) ?? "";
        data["end"] = EndAt?.ToString("o", CultureInfo.InvariantCulture) ?? "";
    }
}
