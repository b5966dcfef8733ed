using System.Formats.Tar;
using System.Globalization;
using System.Text;
using SharpCompress.Archives.SevenZip;

namespace PipelineOps.Staging.Sampling;

/// <summary>
/// Member listings (name, size, type), one member per line, for archives a sample cannot be cut from: tar (its
/// headers are read; data is skipped, seeking where the stream allows, so a compressed tar is scanned whole; the
/// documented exception to constant sampling time) and 7z (its header only).
/// </summary>
public static class ArchiveListing
{
    public static long Tar(Stream source, TextWriter listing, int maxMembers, CancellationToken cancellationToken)
    {
        using var reader = new TarReader(source, leaveOpen: true);
        listing.Write("name\tsize\ttype\n");
        long members = 0;
        while (reader.GetNextEntry(copyData: false) is { } entry)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (members == maxMembers)
            {
                listing.Write("... more members not listed\n");
                break;
            }

            listing.Write(string.Create(CultureInfo.InvariantCulture, $"{Printable(entry.Name)}\t{entry.Length}\t{entry.EntryType}\n"));
            members++;
        }

        return members;
    }

    public static long SevenZip(Stream source, TextWriter listing, int maxMembers, CancellationToken cancellationToken)
    {
        using var archive = SevenZipArchive.OpenArchive(source);
        listing.Write("name\tsize\tcompressed\n");
        long members = 0;
        foreach (var entry in archive.Entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (members == maxMembers)
            {
                listing.Write("... more members not listed\n");
                break;
            }

            var name = Printable(entry.Key ?? "") + (entry.IsDirectory ? "/" : "");
            listing.Write(string.Create(CultureInfo.InvariantCulture, $"{name}\t{entry.Size}\t{entry.CompressedSize}\n"));
            members++;
        }

        return members;
    }

    /// <summary>A member name safe to print on one line: control characters (a newline in a name) escaped.</summary>
    public static string Printable(string name)
    {
        if (!name.Any(char.IsControl))
        {
            return name;
        }

        var text = new StringBuilder(name.Length + 8);
        foreach (var c in name)
        {
            text.Append(char.IsControl(c) ? $"\\x{(int)c:x2}" : c);
        }

        return text.ToString();
    }
}
