using System.Text;

namespace PipelineOps.Collection;

/// <summary>
/// A stream's last time or sequence value, for its checkpoint. While the record it came from is buffered, only where
/// the value lies in the buffered lines is noted: keeping the value itself cost two object references stored per
/// record (a tenth of a record's work with their write barriers). It becomes text once those lines are written.
/// </summary>
internal struct LastFieldValue
{
    private int _at; // 1 + where the value starts in the buffered lines; 0 when it is held in _held
    private int _length;
    private RecordCheck.Value _held;

    /// <summary>Notes <paramref name="value"/> when present, from a record buffered at <paramref name="lineAt"/>.</summary>
    public void Note(in RecordCheck.Value value, ReadOnlySpan<byte> line, int lineAt)
    {
        if (!value.IsPresent)
        {
            return; // the last one present wins
        }

        if (value.IsSliceOf(line, out var offset))
        {
            _at = lineAt + offset + 1;
            _length = value.Utf8.Length;
        }
        else
        {
            _held = value; // decoded text (an escaped value): Accept reads the fields from the very line it buffers
            _at = 0;
        }
    }

    /// <summary>Takes the value out of <paramref name="buffered"/> before those lines are dropped.</summary>
    public void Keep(ReadOnlySpan<byte> buffered)
    {
        if (_at != 0)
        {
            _held = RecordCheck.Value.Of(Encoding.UTF8.GetString(buffered.Slice(_at - 1, _length)));
            _at = 0;
        }
    }

    public readonly string? Text(ReadOnlySpan<byte> buffered) =>
        _at == 0 ? _held.Text : Encoding.UTF8.GetString(buffered.Slice(_at - 1, _length));

    /// <summary>Starts from a checkpoint's value.</summary>
    public void Restore(string? text)
    {
        _held = RecordCheck.Value.Of(text);
        _at = 0;
    }
}
