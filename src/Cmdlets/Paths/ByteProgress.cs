using System.Globalization;
using System.Management.Automation;

namespace PipelineOps.Paths;

/// <summary>A progress record for work measured in bytes read out of a known total: the status text (what the Minimal
/// view shows) says how far, how fast and how long is left; PercentComplete and SecondsRemaining say it to the others.</summary>
internal sealed class ByteProgress
{
    private readonly ProgressRecord _record;
    private readonly long _total;
    private readonly DateTime _started = DateTime.UtcNow;
    private readonly ProgressThrottle _throttle = new();

    public ByteProgress(string activity, long total)
    {
        _record = new ProgressRecord(1, activity, "Starting");
        _total = Math.Max(1, total);
    }

    /// <summary>True at most every 250 ms (<see cref="ProgressThrottle"/>).</summary>
    public bool Due() => _throttle.Due();

    public ProgressRecord At(long read, string operation)
    {
        Describe(_record, operation + ": ", read, _total, (DateTime.UtcNow - _started).TotalSeconds);
        return _record;
    }

    /// <summary>Sets how far (<paramref name="read"/> of <paramref name="total"/> bytes), how fast and how long is left
    /// on <paramref name="record"/>, after <paramref name="head"/>, the text (with its separator) that says what is being done.</summary>
    internal static void Describe(ProgressRecord record, string head, long read, long total, double seconds)
    {
        total = Math.Max(1, total);
        read = Math.Clamp(read, 0, total);
        var rate = seconds > 0.2 ? read / seconds : 0; // bytes a second, once there is something to go on
        var text = string.Create(CultureInfo.InvariantCulture, $"{head}{Megabytes(read)} of {Megabytes(total)} MB");
        record.PercentComplete = (int)(read * 100 / total);
        if (rate > 0)
        {
            var remaining = (int)Math.Ceiling((total - read) / rate);
            record.SecondsRemaining = remaining;
            text += string.Create(CultureInfo.InvariantCulture, $", {rate / (1 << 20):N1} MB/s, {Remaining(remaining)} left");
        }

        record.StatusDescription = text;
    }

    public ProgressRecord Completed()
    {
        _record.RecordType = ProgressRecordType.Completed;
        return _record;
    }

    internal static string Megabytes(long bytes) =>
        (bytes / (double)(1 << 20)).ToString(bytes < 10 << 20 ? "N1" : "N0", CultureInfo.InvariantCulture);

    internal static string Remaining(int seconds) =>
        seconds < 60 ? $"{seconds} s" : seconds < 3600 ? $"{seconds / 60} min {seconds % 60:00} s" : $"{seconds / 3600} h {seconds / 60 % 60:00} min";
}
