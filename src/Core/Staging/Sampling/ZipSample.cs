using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using PipelineOps.IO;

namespace PipelineOps.Staging.Sampling;

/// <summary>
/// A zip sample: a new zip holding _manifest.txt (every member with its sizes and compression method, members this
/// sampler cannot extract marked) and the first member that is small, not a bomb (size and compression ratio capped,
/// the declared size checked against what really inflates), and readable. Only the central directory (streamed, see
/// <see cref="ZipDirectory"/>) and that one member are read. Member names never become file paths: they are written
/// inside the sample zip, with any ../ or absolute prefix removed.
/// </summary>
public static class ZipSample
{
    public const string ListingName = "_manifest.txt";

    public readonly record struct Outcome(long Members, string? Copied, string? Note);

    public static Outcome Copy(Stream source, Stream sample, SampleOptions options, CancellationToken cancellationToken)
    {
        var (count, offset, size) = ZipDirectory.Locate(source);
        long members = 0, unextractable = 0;
        ZipDirectory.Member? first = null;
        string? note = null;
        using var output = new ZipArchive(sample, ZipArchiveMode.Create, leaveOpen: true);
        using (var listing = new StreamWriter(output.CreateEntry(ListingName).Open(), new UTF8Encoding(false), 1 << 16))
        {
            listing.Write("name\tsize\tcompressed\tmethod\n");
            try
            {
                foreach (var entry in ZipDirectory.Read(source, offset, size, count))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (members == options.MaxListedMembers)
                    {
                        listing.Write(string.Create(CultureInfo.InvariantCulture, $"... {count - members} more\n"));
                        note = $"listing stopped after {members} of {count} members";
                        break;
                    }

                    var why = entry.NotExtractable;
                    unextractable += why is null ? 0 : 1;
                    listing.Write(string.Create(CultureInfo.InvariantCulture,
                        $"{ArchiveListing.Printable(entry.Name)}\t{entry.Size}\t{entry.Compressed}\t{ZipDirectory.MethodName(entry.Method)}{(why is null ? "" : " (not extractable: " + why + ")")}\n"));
                    members++;
                    if (first is null && !entry.IsDirectory)
                    {
                        first = entry;
                    }
                }
            }
            catch (InvalidDataException e) when (members > 0)
            {
                note = $"{e.Message}: {members} members listed";
            }
        }

        if (unextractable > 0)
        {
            note = Join(note, $"{unextractable} member(s) cannot be extracted here (marked in the listing)");
        }

        if (first is null)
        {
            return new Outcome(members, null, note);
        }

        var (copied, memberNote) = CopyMember(source, output, first, options);
        return new Outcome(members, copied, Join(note, memberNote));
    }

    private static (string? Copied, string? Note) CopyMember(Stream source, ZipArchive output, ZipDirectory.Member first, SampleOptions options)
    {
        var shown = ArchiveListing.Printable(first.Name);
        var ratio = first.Size / (double)Math.Max(first.Compressed, 1);
        if (first.NotExtractable is { } why)
        {
            return (null, $"first member '{shown}' not copied: {why}");
        }

        if (first.Size > options.MaxMemberBytes)
        {
            return (null, $"first member '{shown}' not copied: {first.Size} bytes is over the {options.MaxMemberBytes}-byte cap");
        }

        if (ratio > options.MaxCompressionRatio)
        {
            return (null, $"first member '{shown}' not copied: it expands {ratio:0}x, over the {options.MaxCompressionRatio:0}x cap");
        }

        var content = new MemoryStream();
        try
        {
            var header = new byte[30];
            source.Position = first.LocalHeaderOffset;
            source.ReadExactly(header);
            if (BinaryPrimitives.ReadUInt32LittleEndian(header) != 0x04034b50)
            {
                return (null, $"first member '{shown}' not copied: its local header is damaged");
            }

            source.Position = first.LocalHeaderOffset + 30 + BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(26)) + BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(28));
            var compressed = new LengthLimitedStream(new NonClosingReader(source), first.Compressed);
            using var member = first.Method == 8 ? new DeflateStream(compressed, CompressionMode.Decompress, leaveOpen: true) : (Stream)compressed;
            using var capped = new LengthLimitedStream(new NonClosingReader(member), options.MaxMemberBytes + 1);
            capped.CopyTo(content);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException)
        {
            return (null, $"first member '{shown}' not copied: it is damaged or truncated ({e.Message})");
        }

        if (content.Length > first.Size)
        {
            return (null, $"first member '{shown}' not copied: it inflates to more than the {first.Size} bytes it declares");
        }

        if (content.Length < first.Size)
        {
            return (null, $"first member '{shown}' not copied: it is truncated ({content.Length} of the {first.Size} bytes it declares)");
        }

        var name = SafeMemberName(first.Name);
        using (var copy = output.CreateEntry(name == ListingName ? "_" + name : name).Open())
        {
            content.Position = 0;
            content.CopyTo(copy);
        }

        return (name, name != first.Name ? $"member name '{shown}' written as '{name}'" : null);
    }

    private static string? Join(string? a, string? b) => a is null ? b : b is null ? a : $"{a}; {b}";

    /// <summary>Reads through to a stream that is left open when this one is disposed.</summary>
    private sealed class NonClosingReader(Stream inner) : ReadOnlyStream(inner, leaveOpen: true)
    {
        public override int Read(Span<byte> buffer) => Inner.Read(buffer);
    }

    /// <summary>A member name with no way out of the folder it would be extracted to: no root, no drive, no ..</summary>
    public static string SafeMemberName(string name)
    {
        var segments = name.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries)
            .Where(s => s is not ("." or "..") && !s.EndsWith(':'))
            .Select(s => new string(s.Where(c => !char.IsControl(c)).ToArray()))
            .Where(s => s.Length > 0)
            .ToArray();
        return segments.Length == 0 ? "member" : string.Join('/', segments);
    }
}
