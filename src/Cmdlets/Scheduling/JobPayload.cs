using System.Collections;
using System.Globalization;
using System.Management.Automation;
using System.Text;
using System.Text.Json;

namespace PipelineOps.Scheduling;

/// <summary>What a job runs, kept as JSON in the store: the cmdlet's parameters for -Convert and -Sample, the
/// script text or file and its arguments for -ScriptBlock and -FilePath.</summary>
internal sealed class JobPayload
{
    public Dictionary<string, object?> Parameters { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    public string? Script { get; init; }

    public string? FilePath { get; init; }

    public List<object?> Arguments { get; init; } = [];

    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("parameters");
            WriteValue(writer, Parameters);
            if (Script is not null)
            {
                writer.WriteString("script", Script);
            }

            if (FilePath is not null)
            {
                writer.WriteString("filePath", FilePath);
            }

            writer.WritePropertyName("arguments");
            WriteValue(writer, Arguments);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static JobPayload FromJson(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var payload = new JobPayload
        {
            Script = root.TryGetProperty("script", out var s) ? s.GetString() : null,
            FilePath = root.TryGetProperty("filePath", out var f) ? f.GetString() : null,
        };
        if (root.TryGetProperty("parameters", out var p) && ReadValue(p) is Hashtable parameters)
        {
            foreach (DictionaryEntry entry in parameters)
            {
                payload.Parameters[(string)entry.Key] = entry.Value;
            }
        }

        if (root.TryGetProperty("arguments", out var a) && ReadValue(a) is object?[] arguments)
        {
            payload.Arguments.AddRange(arguments);
        }

        return payload;
    }

    /// <summary>Values users put in a parameter hashtable: text, numbers, switches, arrays and nested hashtables
    /// (-Schema). Anything else is kept as its text, which PowerShell converts back when it binds.</summary>
    private static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        value = value is PSObject ps ? ps.BaseObject : value;
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string text:
                writer.WriteStringValue(text);
                break;
            case bool flag:
                writer.WriteBooleanValue(flag);
                break;
            case SwitchParameter flag:
                writer.WriteBooleanValue(flag.IsPresent);
                break;
            case int or long or short or byte:
                writer.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
            case double or float or decimal:
                writer.WriteNumberValue(Convert.ToDouble(value, CultureInfo.InvariantCulture));
                break;
            case TimeSpan span:
                writer.WriteStringValue(span.ToString("c", CultureInfo.InvariantCulture));
                break;
            case IDictionary dictionary:
                writer.WriteStartObject();
                foreach (DictionaryEntry entry in dictionary)
                {
                    writer.WritePropertyName(Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? "");
                    WriteValue(writer, entry.Value);
                }

                writer.WriteEndObject();
                break;
            case IEnumerable items:
                writer.WriteStartArray();
                foreach (var item in items)
                {
                    WriteValue(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                writer.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }

    private static object? ReadValue(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number => element.TryGetInt64(out var whole) ? (whole is >= int.MinValue and <= int.MaxValue ? (int)whole : whole) : element.GetDouble(),
        JsonValueKind.Array => element.EnumerateArray().Select(ReadValue).ToArray(),
        JsonValueKind.Object => ReadObject(element),
        _ => null,
    };

    private static Hashtable ReadObject(JsonElement element)
    {
        var table = new Hashtable(StringComparer.OrdinalIgnoreCase);
        foreach (var property in element.EnumerateObject())
        {
            table[property.Name] = ReadValue(property.Value);
        }

        return table;
    }
}
