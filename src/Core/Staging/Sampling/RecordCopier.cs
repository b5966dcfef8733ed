namespace PipelineOps.Staging.Sampling;

/// <summary>
/// Copies the first records of a text stream byte for byte: lines (jsonl, text) or CSV records, where a newline
/// inside a quoted field does not end the record. Only whole records are written, and only records that end within
/// the first maxBytes of the stream: reading stops there however long a line or quoted field runs.
/// </summary>
public static class RecordCopier
{
    public readonly record struct Outcome(long Records, bool CapReached, bool UnclosedQuote);

    public static Outcome Copy(Stream source, Stream sample, long records, bool quoted, long maxBytes, CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 16];
        var pending = new MemoryStream(); // the record in progress; never more than maxBytes
        var inQuotes = false;
        long copied = 0;
        long consumed = 0; // stream offset of buffer[0]
        int count;
        while (copied < records && consumed < maxBytes && (count = source.Read(buffer)) > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var chunk = buffer.AsSpan(0, (int)Math.Min(count, maxBytes - consumed));
            var start = 0;
            var i = 0;
            while (i < chunk.Length && copied < records)
            {
                var next = quoted ? chunk[i..].IndexOfAny((byte)'"', (byte)'\n') : chunk[i..].IndexOf((byte)'\n');
                if (next < 0)
                {
                    break;
                }

                i += next;
                if (chunk[i] == '"')
                {
                    inQuotes = !inQuotes; // "" inside quotes toggles twice: still inside
                }
                else if (!inQuotes)
                {
                    pending.Write(chunk[start..(i + 1)]);
                    sample.Write(pending.GetBuffer(), 0, (int)pending.Length);
                    pending.SetLength(0);
                    start = i + 1;
                    copied++;
                }

                i++;
            }

            if (copied < records)
            {
                pending.Write(chunk[start..]);
            }

            consumed += count;
        }

        var capReached = copied < records && consumed >= maxBytes;
        if (copied < records && !capReached && pending.Length > 0 && !inQuotes)
        {
            sample.Write(pending.GetBuffer(), 0, (int)pending.Length); // the last record of a file without a final newline
            copied++;
        }

        return new Outcome(copied, capReached, copied < records && !capReached && inQuotes);
    }
}
