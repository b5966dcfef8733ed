using System.Text;
using PipelineOps.IO;

namespace PipelineOps.Staging.Sampling;

/// <summary>
/// Writes a small sample of a file in the file's own format into a sample folder. The sample is written under a
/// temporary name and renamed into place, and it carries the source's mtime: a sample whose mtime equals its
/// source's is up to date, which is how repeated passes skip unchanged sources without keeping a list of them (its row
/// count is kept beside it, <see cref="SampleCount"/>).
/// A source that cannot be sampled (corrupt, truncated, hostile) gives a Failed result, never an exception.
/// </summary>
public static class DataSampler
{
    public static SampleResult Sample(string source, string sampleFolder, SampleOptions options, CancellationToken cancellationToken = default)
    {
        var path = Path.GetFullPath(source);
        var name = Path.GetFileName(path);
        OpenedFile opened;
        try
        {
            // Only a regular file is opened, and the checks are made on what was opened: a FIFO cannot hang the pass,
            // a link or a hard link cannot lead out of the folder the caller confines sources to.
            opened = OpenedFile.Open(path, options.FollowLinks, options.Within);
        }
        catch (FileNotFoundException)
        {
            return Failed(path, "unknown", "it does not exist");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Failed(path, "unknown", e.Message);
        }

        using (opened)
        {
            return Sample(path, name, opened, sampleFolder, options, cancellationToken);
        }
    }

    private static SampleResult Sample(string path, string name, OpenedFile opened, string sampleFolder, SampleOptions options, CancellationToken cancellationToken)
    {
        SourceFormat format;
        try
        {
            format = SourceFormat.Detect(path, opened.Stream);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Failed(path, "unknown", e.Message);
        }

        var mtime = opened.Info.LastWriteTimeUtc;
        var samplePath = Path.Combine(sampleFolder, SampleNames.For(name, format));
        var metadataPath = Path.Combine(sampleFolder, SampleNames.MetadataFor(name, format));
        if (!options.Force && (Current(samplePath, mtime) ?? Current(metadataPath, mtime)) is { } current
            && SampleCount.Read(current) is { } rows)
        {
            return new SampleResult(path, current.FullName, format.Name, rows, current.Length, SampleStatus.UpToDate, null);
        }

        string? temp = null;
        try
        {
            Directory.CreateDirectory(sampleFolder);
            temp = Durable.TempPathFor(samplePath);
            Written written;
            using (var output = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16))
            {
                written = Write(path, opened, format, output, options, cancellationToken);
                output.Flush(flushToDisk: options.FlushEach);
            }

            var final = written.MetadataOnly ? metadataPath : samplePath;
            File.SetLastWriteTimeUtc(temp, mtime);
            Durable.Publish(temp, final, options.FlushEach);
            var bytes = new FileInfo(final).Length;
            SampleCount.Write(final, written.Rows, bytes, options.FlushEach); // after the sample: a crash between them only means sampling again
            var status = format.Layout == Layout.Unknown || written.Unsupported ? SampleStatus.Unsupported : SampleStatus.Sampled;
            return new SampleResult(path, final, format.Name, written.Rows, bytes, status, written.Note);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception e)
        {
            // Corrupt and hostile inputs surface from decoders as any exception type (overflow, null reference, out of
            // memory in a decoder that trusted a declared size); each is this source's failure only, and the batch goes on.
            return Failed(path, format.Name, Describe(e));
        }
        finally
        {
            if (temp is not null)
            {
                File.Delete(temp);
            }
        }
    }

    private readonly record struct Written(long Rows, bool MetadataOnly, string? Note, bool Unsupported = false);

    private static Written Write(string path, OpenedFile opened, SourceFormat format, FileStream output, SampleOptions options, CancellationToken cancellationToken)
    {
        var input = opened.Stream;
        var type = SourceFormat.DetectType(input); // now: decoders below may close the input when they are done
        switch (format.Layout)
        {
            case Layout.Csv or Layout.Lines:
            {
                var csv = format.Layout == Layout.Csv;
                RecordCopier.Outcome copied;
                var wanted = options.Rows + (csv ? 1 : 0);
                using (var source = new LengthLimitedStream(Codecs.Decompress(input, format.Codec), long.MaxValue)) // Position: bytes read
                using (var sample = Codecs.Compress(output, format.Codec))
                {
                    copied = RecordCopier.Copy(source, sample, wanted, csv, options.MaxReadBytes, cancellationToken);
                    RequireWholeGzip(format, input, source, readToEnd: copied.Records < wanted && !copied.CapReached);
                }

                if (copied.Records == 0 && (copied.CapReached || copied.UnclosedQuote))
                {
                    throw new InvalidDataException(copied.CapReached
                        ? $"no complete {(csv ? "record" : "line")} within the first {options.MaxReadBytes} bytes"
                        : "the first record has an unclosed quote");
                }

                var rows = csv ? Math.Max(copied.Records - 1, 0) : copied.Records;
                var note = copied.CapReached ? $"stopped at the read cap ({options.MaxReadBytes} bytes)"
                    : copied.UnclosedQuote ? "the last record has an unclosed quote (truncated file?) and was left out"
                    : null;
                return new Written(rows, false, Join(note, format.Codec == Codec.Xz ? "xz cannot be written here: the sample is uncompressed" : null));
            }

            case Layout.Json:
            {
                JsonSample.Outcome outcome;
                using (var source = new LengthLimitedStream(Codecs.Decompress(input, format.Codec), long.MaxValue)) // Position: bytes read
                using (var sample = Codecs.Compress(output, format.Codec))
                {
                    outcome = JsonSample.Copy(source, sample, options, cancellationToken);
                    RequireWholeGzip(format, input, source, readToEnd: source.Position <= options.MaxReadBytes);
                }

                if (!outcome.DocumentTooLarge)
                {
                    return new Written(outcome.Elements, false, outcome.Note);
                }

                output.SetLength(0);
                var why = $"a single JSON document larger than {options.MaxDocumentBytes} bytes, not an array: metadata only";
                MetadataSample.Write(output, path, opened.Info, format.Name, type, why);
                return new Written(0, true, why);
            }

            case Layout.Parquet:
                try
                {
                    var outcome = ParquetSample.Copy(input, output, options, cancellationToken);
                    return new Written(outcome.Rows, false, outcome.Note);
                }
                catch (Exception e) when (e is UnsupportedParquetException or Conversion.EncryptedParquetException)
                {
                    // A valid file this sampler cannot cut: described, not called damaged.
                    output.SetLength(0);
                    output.Position = 0;
                    var why = e is UnsupportedParquetException ? "unsupported: " + e.Message : e.Message;
                    MetadataSample.Write(output, path, opened.Info, format.Name, type, why);
                    return new Written(0, true, why, Unsupported: true);
                }

            case Layout.Zip:
            {
                var outcome = ZipSample.Copy(input, output, options, cancellationToken);
                return new Written(outcome.Members, false, outcome.Note);
            }

            case Layout.Tar:
            {
                // Compressed or not, reading stops at the read cap: a small .tar.bz2 may declare gigabytes of members.
                using var source = Codecs.Decompress(input, format.Codec);
                using var listing = new StreamWriter(output, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
                var outcome = TarListing.List(source, listing, options.MaxListedMembers, options.MaxReadBytes, cancellationToken);
                return new Written(outcome.Members, false, outcome.Note);
            }

            case Layout.SevenZip:
            {
                using var listing = new StreamWriter(output, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
                return new Written(ArchiveListing.SevenZip(input, listing, options.MaxListedMembers, cancellationToken), false, null);
            }

            default:
                MetadataSample.Write(output, path, opened.Info, format.Name, type, null);
                return new Written(0, false, "no sampler for this format: metadata only");
        }
    }

    private static void RequireWholeGzip(SourceFormat format, FileStream input, LengthLimitedStream decompressed, bool readToEnd)
    {
        if (format.Codec == Codec.Gzip && readToEnd && !GzipTrailer.Matches(input, decompressed.Position))
        {
            throw new EndOfStreamException($"the gzip data ends after {decompressed.Position} bytes without the trailer that closes it");
        }
    }

    private static FileInfo? Current(string samplePath, DateTime sourceMtime)
    {
        var sample = new FileInfo(samplePath);
        return sample.Exists && sample.LastWriteTimeUtc == sourceMtime ? sample : null;
    }

    private static string? Join(string? a, string? b) => a is null ? b : b is null ? a : $"{a}; {b}";

    private static string Describe(Exception e) => e switch
    {
        EndOfStreamException => "it ends early (truncated): " + e.Message,
        OutOfMemoryException => "decoding it needed more memory than there is (a size it declares is far larger than its content)",
        OverflowException or NullReferenceException or DivideByZeroException or IndexOutOfRangeException or InvalidCastException
            => $"it cannot be decoded ({e.GetType().Name}: {e.Message})",
        System.Text.Json.JsonException json => $"invalid JSON at line {json.LineNumber + 1}, byte {json.BytePositionInLine + 1}: {e.Message}",
        _ => e.Message,
    };

    private static SampleResult Failed(string source, string format, string reason) =>
        new(source, null, format, 0, 0, SampleStatus.Failed, reason);
}
