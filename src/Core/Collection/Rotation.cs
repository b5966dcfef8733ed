using System.Globalization;

namespace PipelineOps.Collection;

public enum Rotation
{
    Daily,
    Hourly,
}

/// <summary>
/// The period a record is written in: a local day or hour in the collector's time zone (UTC by default).
/// DST policy: file names carry local wall-clock time. The hour skipped in spring has no file. The hour repeated in
/// autumn is written twice: its first pass to the usual name, its second pass (<see cref="SecondPass"/>) to that
/// hour's sequence-numbered file (.1), so the second never collides with the first.
/// </summary>
public readonly record struct Period(DateTime LocalStart, bool SecondPass)
{
    public static Period Of(DateTimeOffset now, Rotation rotation, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(now, zone);
        var start = rotation == Rotation.Daily
            ? local.Date
            : new DateTime(local.Year, local.Month, local.Day, local.Hour, 0, 0, DateTimeKind.Unspecified);
        var second = rotation == Rotation.Hourly && zone.IsAmbiguousTime(local.DateTime) && local.Offset == zone.GetUtcOffset(now.UtcDateTime)
                     && local.Offset == zone.BaseUtcOffset;
        return new Period(DateTime.SpecifyKind(start, DateTimeKind.Unspecified), second);
    }

    /// <summary>The stamp in file names: yyyyMMdd, or yyyyMMdd_HH.</summary>
    public string Stamp(Rotation rotation) =>
        LocalStart.ToString(rotation == Rotation.Daily ? "yyyyMMdd" : "yyyyMMdd_HH", CultureInfo.InvariantCulture);
}

/// <summary>Data file names: {stream}_{yyyyMMdd}{ext} or {stream}_{yyyyMMdd_HH}{ext}, and .N before the extension for
/// sequence-numbered files (-NoResume, the repeated DST hour). Test-FileActive reads all of them as one series.</summary>
public static class StreamFileName
{
    public static string For(string stream, string stamp, int sequence, string extension) =>
        sequence == 0 ? $"{stream}_{stamp}{extension}" : $"{stream}_{stamp}.{sequence}{extension}";
}
