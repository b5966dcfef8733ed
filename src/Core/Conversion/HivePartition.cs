using System.Globalization;
using System.Text;

namespace PipelineOps.Conversion;

/// <summary>Hive-style partition folders: date=2025-11-14/type=l2update.</summary>
public static class HivePartition
{
    /// <summary>The folder name Hive, Spark and DuckDB use for a missing (null) partition value.</summary>
    public const string NullValue = "__HIVE_DEFAULT_PARTITION__";

    public static string Date(DateTime? utc) =>
        utc is { } t ? t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : NullValue;

    /// <summary>The column that keeps a -PartitionBy field's exact value in every file of the partition (type becomes
    /// _partition_type). Hive readers take the partition column from the folder name, which is escaped or shortened
    /// for long or unusual values; this column is not a folder key, so it reads back as the record had it.</summary>
    public static string ValueColumn(string field) => "_partition_" + field;

    /// <summary>The most UTF-8 bytes an escaped value keeps in a folder name (file systems allow 255 per name).</summary>
    public const int MaxValueBytes = 128;

    /// <summary>Escapes a value for a folder name the way Hive does: %XX for separators, '=', '%', control
    /// characters and a leading dot (which would hide the folder). A value whose escaped form is longer than
    /// <see cref="MaxValueBytes"/> is cut to its first 100 bytes and followed by '~' and 16 hex digits of the SHA-256 of
    /// the whole value, so distinct long values keep distinct folders.</summary>
    public static string Escape(string? value)
    {
        var escaped = EscapeAll(value);
        return Encoding.UTF8.GetByteCount(escaped) <= MaxValueBytes ? escaped : Shortened(value!, escaped);
    }

    private static string Shortened(string value, string escaped)
    {
        var cut = 0;
        var bytes = 0;
        while (cut < escaped.Length)
        {
            var width = char.IsHighSurrogate(escaped[cut]) && cut + 1 < escaped.Length ? 2 : 1;
            var size = Encoding.UTF8.GetByteCount(escaped.AsSpan(cut, width));
            if (bytes + size > 100)
            {
                break;
            }

            bytes += size;
            cut += width;
        }

        // Never end inside a %XX escape.
        var percent = escaped.LastIndexOf('%', Math.Max(cut - 1, 0), Math.Min(cut, 3));
        if (percent >= 0 && percent + 3 > cut)
        {
            cut = percent;
        }

        var hash = System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(value));
        return escaped[..cut] + "~" + System.Convert.ToHexStringLower(hash, 0, 8);
    }

    private static string EscapeAll(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return NullValue;
        }

        var builder = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            var escape = c < 0x20 || c == 0x7f || c is '/' or '\\' or '=' or '%' or ':' or '*' or '?' or '"' or '<' or '>' or '|' or '#'
                         || (i == 0 && c == '.');
            if (escape)
            {
                builder.Append('%').Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
