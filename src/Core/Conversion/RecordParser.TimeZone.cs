using System.Runtime.CompilerServices;

namespace PipelineOps.Conversion;

/// <summary>
/// Times without an offset ("2025-11-20T23:30:00"): they are UTC unless a zone is given, whatever zone the machine is
/// in. Utf8JsonReader would read them in the machine's zone, so the readers keep them as the wall-clock time they say
/// and a parsed record's times are placed in <see cref="TimeZone"/> here.
/// </summary>
public sealed partial class RecordParser
{
    /// <summary>The zone of times written without an offset; UTC unless given.</summary>
    public TimeZoneInfo TimeZone { get; init; } = TimeZoneInfo.Utc;

    /// <summary>Parses one line; false with <see cref="Error"/> when it is not a record.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryParse(ReadOnlySpan<byte> line)
    {
        if (!TryParseLine(line))
        {
            return false;
        }

        foreach (var index in Present)
        {
            ref var value = ref _values[index];
            if (value.Time is { Kind: DateTimeKind.Unspecified } wallClock)
            {
                value.Time = ToUtc(wallClock);
            }
        }

        return true;
    }

    private DateTime ToUtc(DateTime wallClock)
    {
        if (ReferenceEquals(TimeZone, TimeZoneInfo.Utc))
        {
            return DateTime.SpecifyKind(wallClock, DateTimeKind.Utc);
        }

        // A wall-clock time skipped by a change to summer time is taken as the offset before the change.
        return TimeZone.IsInvalidTime(wallClock)
            ? DateTime.SpecifyKind(wallClock - TimeZone.GetUtcOffset(wallClock.AddHours(-3)), DateTimeKind.Utc)
            : TimeZoneInfo.ConvertTimeToUtc(wallClock, TimeZone);
    }
}
