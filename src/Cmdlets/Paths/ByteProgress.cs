using System.Globalization;
using System.Management.Automation;

namespace PipelineOps.Paths;

/// <summary>A progress record for work measured in bytes read out of a known total: the status text (what the Minimal
/// view shows) says how far, how fast and how long is left; PercentComplete and SecondsRemaining say it to the others.</summary>
internal sealed class ByteProgress
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);
    private readonly ProgressRecord _record;
    private readonly long _total;
    private readonly DateTime _started = DateTime.UtcNow;
    private DateTime _last;

    public ByteProgress(string activity, long total)
    {
        _record = new ProgressRecord(1, activity, "Starting");
        _total = Math.Max(1, total);
    }

    /// <summary>True at most every 250 ms: the callers report far more often than a screen can show.</summary>
    public bool Due()
    {
        var now = DateTime.UtcNow;
        if (now - _last < Interval)
        {
            return false;
        }

        _last = now;
        return true;
    }

    public ProgressRecord At(long read, string operation)
    {
        read = Math.Clamp(read, 0, _total);
        var seconds = (DateTime.UtcNow - _started).TotalSeconds;
        var rate = seconds > 0.2 ? read / seconds : 0;
        var text = string.Create(CultureInfo.InvariantCulture, $"{operation}: {Megabytes(read)} of {Megabytes(_total)} MB");
        _record.PercentComplete = (int)(read * 100 / _total);
        if (rate > 0)
        {
            var remaining = (int)Math.Ceiling((_total - read) / rate);
            _record.SecondsRemaining = remaining;
            text += string.Create(CultureInfo.InvariantCulture, $", {rate / (1 << 20):N1} MB/s, {Remaining(remaining)} left");
        }

        _record.StatusDescription = text;
        return _record;
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
