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

    /// <summary>Escapes a value for a folder name the way Hive does: %XX for separators, '=', '%', control
    /// characters and a leading dot (which would hide the folder).</summary>
    public static string Escape(string? value)
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
