namespace PipelineOps.Scheduling;

/// <summary>Time zones by IANA id (Europe/London) or Windows id (GMT Standard Time), on every platform.</summary>
public static class TimeZones
{
    public static TimeZoneInfo Find(string id)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        if (string.Equals(id, "UTC", StringComparison.OrdinalIgnoreCase))
        {
            return TimeZoneInfo.Utc;
        }

        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new TimeZoneNotFoundException($"Unknown time zone '{id}'. Give an IANA id such as Europe/London or a Windows id such as GMT Standard Time.", e);
        }
    }
}
