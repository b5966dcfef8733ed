using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Management.Automation;
using System.Text.Json;

namespace PipelineOps.Commands;

/// <summary>
/// Pipeline objects as one JSON object each: hashtables and dictionaries by key, other objects by their properties
/// (PSCustomObject notes included), dates as ISO 8601 UTC, nested values to a depth limit. A string is taken as the
/// JSON text of a record as it is.
/// </summary>
internal static class PSObjectJson
{
    private const int MaxDepth = 16;

    public static ReadOnlyMemory<byte> Serialize(object input)
    {
        var value = input is PSObject ps ? ps.BaseObject : input;
        if (value is string text)
        {
            return System.Text.Encoding.UTF8.GetBytes(text);
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            Write(json, input, 0);
        }

        return buffer.WrittenMemory;
    }

    private static void Write(Utf8JsonWriter json, object? input, int depth)
    {
        var value = input is PSObject ps && ps.BaseObject is not PSCustomObject ? ps.BaseObject : input;
        switch (value)
        {
            case null:
                json.WriteNullValue();
                return;
            case string s:
                json.WriteStringValue(s);
                return;
            case bool b:
                json.WriteBooleanValue(b);
                return;
            case char c:
                json.WriteStringValue(c.ToString());
                return;
            case DateTime t:
                json.WriteStringValue((t.Kind == DateTimeKind.Local ? t.ToUniversalTime() : t).ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture));
                return;
            case DateTimeOffset o:
                json.WriteStringValue(o.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture));
                return;
            case Enum e:
                json.WriteStringValue(e.ToString());
                return;
            case sbyte or byte or short or ushort or int or uint or long or ulong or float or double or decimal:
                json.WriteRawValue(Convert.ToString(value, CultureInfo.InvariantCulture)!);
                return;
        }

        if (depth >= MaxDepth)
        {
            json.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
            return;
        }

        if (value is IDictionary dictionary)
        {
            json.WriteStartObject();
            foreach (DictionaryEntry entry in dictionary)
            {
                json.WritePropertyName(Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? "");
                Write(json, entry.Value, depth + 1);
            }

            json.WriteEndObject();
            return;
        }

        if (value is IEnumerable sequence)
        {
            json.WriteStartArray();
            foreach (var item in sequence)
            {
                Write(json, item, depth + 1);
            }

            json.WriteEndArray();
            return;
        }

        var wrapped = input as PSObject ?? PSObject.AsPSObject(value);
        json.WriteStartObject();
        foreach (var property in wrapped.Properties)
        {
            if (!property.IsGettable)
            {
                continue;
            }

            object? propertyValue;
            try
            {
                propertyValue = property.Value;
            }
            catch (GetValueException)
            {
                continue;
            }

            json.WritePropertyName(property.Name);
            Write(json, propertyValue, depth + 1);
        }

        json.WriteEndObject();
    }
}
