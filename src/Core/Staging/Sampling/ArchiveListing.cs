using System.Globalization;
using System.Text;
using SharpCompress.Archives.SevenZip;

namespace PipelineOps.Staging.Sampling;

/// <summary>
/// Member listings, one member per line, for 7z archives (their header only; tar has <see cref="TarListing"/>), and
/// the printable form of member names that every listing uses.
/// </summary>
public static class ArchiveListing
{
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
