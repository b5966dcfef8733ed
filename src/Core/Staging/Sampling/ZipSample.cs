using System.Globalization;
using System.IO.Compression;
using System.Text;
using PipelineOps.IO;

namespace PipelineOps.Staging.Sampling;

/// <summary>
/// A zip sample: a new zip holding _manifest.txt (every member with its sizes) and the first member that is small,
/// not a bomb (size and compression ratio capped, the declared size checked against what really inflates), and
/// readable. Only the central directory and that one member are read. Member names never become file paths: they
/// are written inside the sample zip, with any ../ or absolute prefix removed.
/// </summary>
public static class ZipSample
{
    public const string ListingName = "_manifest.txt";

    public readonly record struct Outcome(long Members, string? Copied, string? Note);

    public static Outcome Copy(Stream source, Stream sample, SampleOptions options, CancellationToken cancellationToken)
    {
        using var zip = new ZipArchive(source, ZipArchiveMode.Read, leaveOpen: true);
        var listing = new StringBuilder("name\tsize\tcompressed\n");
        long members = 0;
        ZipArchiveEntry? first = null;
        string? note = null;
        foreach (var entry in zip.Entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (members == options.MaxListedMembers)
            {
                listing.Append(CultureInfo.InvariantCulture, $"... {zip.Entries.Count - members} more\n");
                break;
            }

            listing.Append(CultureInfo.InvariantCulture, $"{ArchiveListing.Printable(entry.FullName)}\t{entry.Length}\t{entry.CompressedLength}\n");
            members++;
            if (first is null && !entry.FullName.EndsWith('/'))
            {
                first = entry;
            }
        }

        using var output = new ZipArchive(sample, ZipArchiveMode.Create, leaveOpen: true);
        using (var writer = new StreamWriter(output.CreateEntry(ListingName).Open(), new UTF8Encoding(false)))
        {
            writer.Write(listing);
        }

        if (first is null)
        {
            return new Outcome(members, null, null);
        }

        var ratio = first.Length / (double)Math.Max(first.CompressedLength, 1);
        if (first.Length > options.MaxMemberBytes)
        {
            note = $"first member '{ArchiveListing.Printable(first.FullName)}' not copied: {first.Length} bytes is over the {options.MaxMemberBytes}-byte cap";
        }
        else if (ratio > options.MaxCompressionRatio)
        {
            note = $"first member '{ArchiveListing.Printable(first.FullName)}' not copied: it expands {ratio:0}x, over the {options.MaxCompressionRatio:0}x cap";
        }
        else
        {
            var content = new MemoryStream();
            using (var member = new LengthLimitedStream(first.Open(), options.MaxMemberBytes + 1))
            {
                member.CopyTo(content);
            }

            if (content.Length > options.MaxMemberBytes || content.Length != first.Length)
            {
                note = $"first member '{ArchiveListing.Printable(first.FullName)}' not copied: it inflates to more than it declares ({first.Length} bytes)";
            }
            else
            {
                var name = SafeMemberName(first.FullName);
                using (var copy = output.CreateEntry(name == ListingName ? "_" + name : name).Open())
                {
                    content.Position = 0;
                    content.CopyTo(copy);
                }

                return new Outcome(members, name, name != first.FullName ? $"member name '{ArchiveListing.Printable(first.FullName)}' written as '{name}'" : null);
            }
        }

        return new Outcome(members, null, note);
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
