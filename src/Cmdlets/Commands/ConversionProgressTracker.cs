using System.Management.Automation;
using PipelineOps.Conversion;

namespace PipelineOps.Commands;

/// <summary>One progress record for a whole conversion call: bytes written out of every source. The column pass reads
/// only a file's head unless the guess fails, so it shows as an operation rather than as part of the percentage.</summary>
internal sealed class ConversionProgressTracker
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    private readonly ProgressRecord _record = new(1, "Convert-JsonlToParquet", "Starting");
    private readonly Dictionary<string, long> _sizes;
    private readonly Dictionary<string, long> _read = new(StringComparer.Ordinal);
    private readonly long _totalBytes;
    private int _done;
    private long _rows;
    private DateTime _last;

    public ConversionProgressTracker(IReadOnlyList<string> sources)
    {
        _sizes = sources.ToDictionary(s => s, s => File.Exists(s) ? new FileInfo(s).Length : 0, StringComparer.Ordinal);
        _totalBytes = Math.Max(1, _sizes.Values.Sum());
    }

    /// <summary>Takes a step; true when it is time to show it.</summary>
    public bool Update(ConversionProgress step)
    {
        if (step.Pass == 2 && step.BytesTotal is not null)
        {
            _read[step.Source] = Math.Min(step.BytesRead, _sizes.GetValueOrDefault(step.Source));
        }

        _record.CurrentOperation = $"{Path.GetFileName(step.Source)}: {(step.Pass == 1 ? "learning the columns" : $"writing, {step.Rows:N0} rows")}";
        var now = DateTime.UtcNow;
        if (now - _last < Interval)
        {
            return false;
        }

        _last = now;
        return true;
    }

    public void Done(ConversionResult result)
    {
        _done++;
        _rows += result.Rows;
        _read[result.Source] = _sizes.GetValueOrDefault(result.Source);
    }

    public ProgressRecord Record()
    {
        _record.StatusDescription = $"{_done} of {_sizes.Count} file(s) done, {_rows:N0} rows written";
        _record.PercentComplete = (int)Math.Clamp(_read.Values.Sum() * 100 / _totalBytes, 0, 100);
        return _record;
    }

    public ProgressRecord Completed()
    {
        _record.RecordType = ProgressRecordType.Completed;
        return _record;
    }
}
