using System.Globalization;
using System.Management.Automation;
using PipelineOps.Conversion;
using PipelineOps.Paths;

namespace PipelineOps.Commands;

/// <summary>One progress record for a whole conversion call. The status text, which the Minimal view shows, carries
/// what a user waiting on one large file wants: bytes read out of all sources (within a file too), rows written so far,
/// the rate in MB/s and the time left; PercentComplete and SecondsRemaining say the same to other views. The column pass
/// reads only a file's head unless the guess fails, so it shows as an operation rather than as part of the percentage.</summary>
internal sealed class ConversionProgressTracker
{
    private readonly ProgressRecord _record = new(1, "Convert-JsonlToParquet", "Starting");
    private readonly Dictionary<string, long> _sizes;
    private readonly Dictionary<string, long> _read = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _rowsInFlight = new(StringComparer.Ordinal);
    private readonly long _totalBytes;
    private readonly DateTime _started;
    private readonly Func<DateTime> _now;
    private readonly ProgressThrottle _throttle;
    private int _done;
    private long _rows;

    public ConversionProgressTracker(IReadOnlyList<string> sources, Func<DateTime>? now = null)
    {
        _now = now ?? (() => DateTime.UtcNow);
        _throttle = new ProgressThrottle(_now);
        _started = _now();
        _sizes = sources.ToDictionary(s => s, s => File.Exists(s) ? new FileInfo(s).Length : 0, StringComparer.Ordinal);
        _totalBytes = Math.Max(1, _sizes.Values.Sum());
    }

    /// <summary>Takes a step; true when it is time to show it.</summary>
    public bool Update(ConversionProgress step)
    {
        if (step.Pass == 2)
        {
            if (step.BytesTotal is not null)
            {
                _read[step.Source] = Math.Min(step.BytesRead, _sizes.GetValueOrDefault(step.Source));
            }

            _rowsInFlight[step.Source] = step.Rows;
        }

        _record.CurrentOperation = $"{Path.GetFileName(step.Source)}: {(step.Pass == 1 ? "learning the columns" : $"writing, {step.Rows:N0} rows")}";
        return _throttle.Due();
    }

    public void Done(ConversionResult result)
    {
        _done++;
        _rows += result.Rows;
        _rowsInFlight.Remove(result.Source);
        _read[result.Source] = _sizes.GetValueOrDefault(result.Source);
    }

    public ProgressRecord Record()
    {
        var head = string.Create(CultureInfo.InvariantCulture, $"{_done} of {_sizes.Count} file(s) done, {_rows + _rowsInFlight.Values.Sum():N0} rows written, ");
        ByteProgress.Describe(_record, head,
            _read.Values.Sum(), _totalBytes, (_now() - _started).TotalSeconds);
        return _record;
    }

    public ProgressRecord Completed()
    {
        _record.RecordType = ProgressRecordType.Completed;
        return _record;
    }
}
