using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using PipelineOps.Text;

namespace PipelineOps.Conversion;

/// <summary>
/// Parses one JSON-lines record into a reusable array of field values, one slot per known field name.
/// Strict, by the shared <see cref="JsonLineRules"/>: the line must be exactly one JSON object of valid UTF-8 without
/// lone surrogate escapes, at most 64 levels deep; anything else is a bad line with a reason. Duplicate keys: the
/// last one wins. A number beyond double's range is kept as its exact text, as integers beyond Int64 are.
/// </summary>
public sealed partial class RecordParser
{
    private static readonly JsonReaderOptions ReaderOptions = JsonLineRules.ReaderOptions;

    private readonly Dictionary<string, int> _fields = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly List<string> _names = [];
    private readonly List<byte[]> _utf8Names = [];
    private readonly List<bool> _plainNames = []; // names whose JSON form is their UTF-8 bytes: no escapes needed
    // Field index by position in recent records (-1: unknown field): the latest, and the one before it there.
    private readonly List<int> _order = [];
    private readonly List<int> _orderBefore = [];
    private readonly List<bool> _needsText = [];
    private readonly List<bool> _isTime = [];
    private readonly IReadOnlySet<string> _textFields;
    private readonly IReadOnlySet<string> _timeFields;
    private readonly bool _learnFields;
    private FieldValue[] _values = new FieldValue[16];
    private readonly List<int> _present = [];
    private char[] _nameBuffer = new char[256];
    private byte[] _unescapedName = new byte[256];
    private FieldValue _unknownValue; // where the flat scan reads the values of fields it does not keep

    /// <param name="knownFields">Fields in column order; null to learn fields as they appear.</param>
    /// <param name="timeField">The field whose values are parsed as times.</param>
    /// <param name="textFields">Fields whose string values are always copied out into <see cref="FieldValue.Text"/>
    /// (the ones the caller reads, such as the type and partition fields).</param>
    /// <param name="otherTimeFields">Further fields whose values are parsed as times (timestamp columns of a given schema).</param>
    public RecordParser(IEnumerable<string>? knownFields, string timeField, IReadOnlySet<string>? textFields = null,
        IReadOnlySet<string>? otherTimeFields = null)
    {
        _textFields = textFields ?? new HashSet<string>();
        _timeFields = otherTimeFields ?? new HashSet<string>();
        _lookup = _fields.GetAlternateLookup<ReadOnlySpan<char>>();
        _learnFields = knownFields is null;
        TimeFieldName = timeField;
        foreach (var name in knownFields ?? [])
        {
            Add(name);
        }
    }

    public string TimeFieldName { get; }

    /// <summary>When false, string values are typed and located (RawStart/RawLength) but only copied out for the
    /// text fields and for strings with escapes: column buffers decode the rest straight from the line.</summary>
    public bool MaterializeStrings { get; init; } = true;

    /// <summary>Whether records are first tried with the flat scan (<see cref="TryScan"/>); tests turn it off to
    /// compare it with the general reader.</summary>
    internal bool FlatScan { get; init; } = true;

    /// <summary>Whether the flat scan parsed the last record.</summary>
    internal bool LastScanned { get; private set; }

    /// <summary>Field names by index, in order of first appearance (or as given).</summary>
    public IReadOnlyList<string> Names => _names;

    /// <summary>Values of the last parsed record, by field index; Missing where the record lacks the field.</summary>
    public ReadOnlySpan<FieldValue> Values => _values.AsSpan(0, _names.Count);

    /// <summary>The indexes of the fields the last record has, in the order it has them.</summary>
    public ReadOnlySpan<int> Present => CollectionsMarshal.AsSpan(_present);

    /// <summary>Why the last line was rejected.</summary>
    public string? Error { get; private set; }

    /// <summary>Fields present in the record that are not known (only when fields are given up front).</summary>
    public int UnknownFields { get; private set; }

    public int IndexOf(string name) => _fields.TryGetValue(name, out var i) ? i : -1;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool TryParseLine(ReadOnlySpan<byte> line)
    {
        Reset();
        Error = null;
        LastScanned = false;

        if (JsonLineRules.TextProblem(line) is { } problem)
        {
            Error = problem;
            return false;
        }

        if (FlatScan)
        {
            if (LastScanned = TryScan(line))
            {
                return true;
            }

            Reset(); // the general reader decides, and says why when the line is bad
        }

        try
        {
            var reader = new Utf8JsonReader(line, isFinalBlock: true, new JsonReaderState(ReaderOptions));
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                Error = JsonLineRules.NotAnObject;
                return false;
            }

            var position = 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var index = FieldIndex(NameOf(ref reader), position++);
                reader.Read();
                if (index < 0)
                {
                    UnknownFields++;
                    reader.Skip();
                    continue;
                }

                Set(index, ReadValue(ref reader, _isTime[index], MaterializeStrings || _needsText[index]));
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                Error = JsonLineRules.MoreThanOneValue;
                return false;
            }

            return true;
        }
        catch (JsonException e)
        {
            Error = JsonLineRules.Shorten(e.Message);
            return false;
        }
    }

    private void Reset()
    {
        foreach (var index in _present)
        {
            _values[index] = default;
        }

        _present.Clear();
        UnknownFields = 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Set(int index, in FieldValue value)
    {
        if (_values[index].Kind == ValueKind.Missing)
        {
            _present.Add(index);
        }

        _values[index] = value; // a repeated key: the last one wins
    }

    /// <summary>The property name the reader is on, unescaped, as UTF-8.</summary>
    private ReadOnlySpan<byte> NameOf(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            return reader.ValueSpan;
        }

        if (_unescapedName.Length < reader.ValueSpan.Length)
        {
            _unescapedName = new byte[Math.Max(reader.ValueSpan.Length, _unescapedName.Length * 2)];
        }

        return _unescapedName.AsSpan(0, reader.CopyString(_unescapedName));
    }

    /// <param name="name">The field's name, unescaped, as UTF-8.</param>
    /// <param name="position">Where the record has it: its first field is 0.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int FieldIndex(ReadOnlySpan<byte> name, int position)
    {
        // Try the fields recent records had at this position by their UTF-8 bytes before decoding the name for the
        // dictionary.
        var recent = Recent(name, position, nameThenQuote: false);
        if (recent >= 0)
        {
            return recent;
        }

        var index = LookUp(name);
        if (position < _order.Count)
        {
            _orderBefore[position] = _order[position];
            _order[position] = index;
        }
        else if (position == _order.Count)
        {
            _order.Add(index);
            _orderBefore.Add(-1);
        }

        return index;
    }

    /// <summary>
    /// The field the latest record, or the one before it, had at <paramref name="position"/>, if
    /// <paramref name="text"/> is its name (with <paramref name="nameThenQuote"/>: if the text starts with its raw
    /// name and a closing quote, which only a name that needs no escapes can match); otherwise -1. Records of one file
    /// mostly list their fields in one or two orders (a ticker's, a level-2 update's).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Recent(ReadOnlySpan<byte> text, int position, bool nameThenQuote)
    {
        if (position >= _order.Count)
        {
            return -1;
        }

        var latest = _order[position];
        if (latest >= 0 && IsName(text, latest, nameThenQuote))
        {
            return latest;
        }

        var before = _orderBefore[position];
        if (before >= 0 && IsName(text, before, nameThenQuote))
        {
            _orderBefore[position] = latest;
            _order[position] = before;
            return before;
        }

        return -1;
    }

    private bool IsName(ReadOnlySpan<byte> text, int field, bool nameThenQuote)
    {
        var name = _utf8Names[field];
        return nameThenQuote
            ? _plainNames[field] && text.Length > name.Length && text[name.Length] == '"' && text.StartsWith(name)
            : text.SequenceEqual(name);
    }

    private int LookUp(ReadOnlySpan<byte> utf8Name)
    {
        if (_nameBuffer.Length < utf8Name.Length)
        {
            _nameBuffer = new char[Math.Max(utf8Name.Length, _nameBuffer.Length * 2)];
        }

        var name = _nameBuffer.AsSpan(0, Encoding.UTF8.GetChars(utf8Name, _nameBuffer)); // valid UTF-8: checked first
        if (_lookup.TryGetValue(name, out var index))
        {
            return index;
        }

        return _learnFields ? Add(new string(name)) : -1;
    }

    private int Add(string name)
    {
        var index = _names.Count;
        _fields[name] = index;
        _names.Add(name);
        _utf8Names.Add(Encoding.UTF8.GetBytes(name));
        _plainNames.Add(!name.Any(c => c is '"' or '\\' || char.IsControl(c)));
        _needsText.Add(_textFields.Contains(name));
        _isTime.Add(name == TimeFieldName || _timeFields.Contains(name));

        if (_values.Length <= index)
        {
            Array.Resize(ref _values, _values.Length * 2);
        }

        return index;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static FieldValue ReadValue(ref Utf8JsonReader reader, bool isTime, bool materialize)
    {
        var start = (int)reader.TokenStartIndex;
        var value = new FieldValue { RawStart = start };
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                value.Kind = ValueKind.Null;
                break;
            case JsonTokenType.True:
                value.Kind = ValueKind.True;
                break;
            case JsonTokenType.False:
                value.Kind = ValueKind.False;
                break;
            case JsonTokenType.Number:
                ReadNumber(ref reader, ref value);
                if (isTime)
                {
                    value.Time = EpochTime(value);
                }

                break;
            case JsonTokenType.String:
                value.Kind = ValueKind.String;
                value.Text = materialize || reader.ValueIsEscaped ? reader.GetString() : null;
                if (isTime)
                {
                    value.Time = TimeOf(ref reader);
                }

                break;
            case JsonTokenType.StartArray:
                ScanArray(ref reader, ref value);
                value.Kind = ValueKind.Nested;
                break;
            default: // StartObject
                value.Kind = ValueKind.Nested;
                value.ArrayDepth = ScanObject(ref reader);
                break;
        }

        value.RawLength = (int)reader.BytesConsumed - start;
        return value;
    }

    /// <summary>The time in the string the reader is on: the usual UTC form directly, any other ISO-8601 form through
    /// the reader. A time without an offset comes back as the wall-clock time it says (Kind Unspecified), never read in
    /// the machine's zone: <see cref="TryParse"/> places it in <see cref="TimeZone"/>.</summary>
    private static DateTime? TimeOf(ref Utf8JsonReader reader) =>
        !reader.ValueIsEscaped && UtcTimeText.TryParse(reader.ValueSpan, out var utc) ? utc
        : !reader.TryGetDateTimeOffset(out var time) ? null
        : reader.TryGetDateTime(out var wallClock) && wallClock.Kind == DateTimeKind.Unspecified ? wallClock
        : time.UtcDateTime;

    /// <summary>Walks an object (the reader on its StartObject) to its end: flat when every value is a scalar.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static byte ScanObject(ref Utf8JsonReader reader)
    {
        var flat = true;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            reader.Read();
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                flat = false;
                reader.Skip();
            }
        }

        return flat ? ArrayShape.FlatObject : ArrayShape.Irregular;
    }

    /// <summary>Walks an array (the reader on its StartArray) to its end, noting the depth and kinds of its leaves.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScanArray(ref Utf8JsonReader reader, ref FieldValue value)
    {
        var level = 1;
        bool scalarsAtTop = false, arraysInside = false, irregular = false;
        var leaves = LeafKinds.None;
        while (level > 0 && reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartArray:
                    irregular |= level >= 2;
                    arraysInside = true;
                    level++;
                    break;
                case JsonTokenType.EndArray:
                    level--;
                    break;
                case JsonTokenType.StartObject:
                    irregular = true;
                    reader.Skip();
                    break;
                case JsonTokenType.Null:
                    break;
                default:
                    scalarsAtTop |= level == 1;
                    leaves |= LeafKindOf(ScalarKind(ref reader));
                    break;
            }
        }

        value.ArrayLeaves = leaves;
        value.ArrayDepth = ArrayDepthOf(irregular, scalarsAtTop, arraysInside);
    }

    /// <summary>The kind an array notes for a scalar leaf of <paramref name="kind"/> (not Null).</summary>
    private static LeafKinds LeafKindOf(ValueKind kind) => kind switch
    {
        ValueKind.True or ValueKind.False => LeafKinds.Boolean,
        ValueKind.String => LeafKinds.String,
        ValueKind.Float => LeafKinds.Float,
        ValueKind.Integer => LeafKinds.Integer,
        _ => LeafKinds.Other,
    };

    /// <summary>An array's <see cref="FieldValue.ArrayDepth"/> from what its walk found.</summary>
    /// <param name="irregular">Objects inside, or arrays deeper than two levels.</param>
    /// <param name="scalarsAtTop">Scalars directly in the array.</param>
    /// <param name="arraysInside">Arrays in the array.</param>
    private static byte ArrayDepthOf(bool irregular, bool scalarsAtTop, bool arraysInside) =>
        irregular || (scalarsAtTop && arraysInside) ? ArrayShape.Irregular
        : arraysInside ? (byte)2
        : scalarsAtTop ? (byte)1
        : (byte)0;

    /// <summary>The kind of the scalar token the reader is on (Null for null), by the rules of the record values:
    /// a number with a fraction or exponent is Float if a double holds it, an integral one Integer if it fits in Int64,
    /// else BigInteger (kept as exact text).</summary>
    internal static ValueKind ScalarKind(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.True => ValueKind.True,
        JsonTokenType.False => ValueKind.False,
        JsonTokenType.String => ValueKind.String,
        JsonTokenType.Number when !IsIntegral(reader.ValueSpan) => FitsDouble(reader.ValueSpan) ? ValueKind.Float : ValueKind.BigInteger,
        JsonTokenType.Number when reader.TryGetInt64(out _) => ValueKind.Integer,
        JsonTokenType.Number => ValueKind.BigInteger,
        _ => ValueKind.Null,
    };

    private static bool IsIntegral(ReadOnlySpan<byte> number)
    {
        foreach (var b in number)
        {
            if (b is (byte)'.' or (byte)'e' or (byte)'E')
            {
                return false;
            }
        }

        return true;
    }

    private static void ReadNumber(ref Utf8JsonReader reader, ref FieldValue value)
    {
        var integral = IsIntegral(reader.ValueSpan);
        if (integral && reader.TryGetInt64(out var integer))
        {
            value.Kind = ValueKind.Integer;
            value.Integer = integer;
            value.Float = integer;
        }
        else
        {
            // Beyond Int64, or a double's range (1e400): the exact text is kept, never a rounded or infinite value.
            var finite = double.TryParse(reader.ValueSpan, NumberStyles.Float, CultureInfo.InvariantCulture, out var real)
                         && double.IsFinite(real);
            value.Kind = integral || !finite ? ValueKind.BigInteger : ValueKind.Float;
            value.Float = finite ? real : double.NaN;
        }
    }

    /// <summary>Whether a double holds a JSON number (finite): without an exponent any number shorter than 300 digits
    /// does.</summary>
    internal static bool FitsDouble(ReadOnlySpan<byte> number) =>
        (number.Length < 300 && number.IndexOfAny((byte)'e', (byte)'E') < 0)
        || (double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) && double.IsFinite(real));

    // Epoch numbers: seconds, milliseconds, microseconds or nanoseconds, told apart by magnitude.
    private static DateTime? EpochTime(in FieldValue value)
    {
        var n = value.Float;
        if (double.IsNaN(n) || n < 0)
        {
            return null;
        }

        var ticks = n switch
        {
            < 1e11 => n * TimeSpan.TicksPerSecond,
            < 1e14 => n * TimeSpan.TicksPerMillisecond,
            < 1e17 => n * 10,
            _ => n / 100,
        };
        return ticks < DateTime.MaxValue.Ticks - DateTime.UnixEpoch.Ticks
            ? DateTime.UnixEpoch.AddTicks((long)ticks)
            : null;
    }

    /// <summary>The exact JSON text of a value in the line it was parsed from.</summary>
    public static string RawText(ReadOnlySpan<byte> line, in FieldValue value) =>
        Encoding.UTF8.GetString(line.Slice(value.RawStart, value.RawLength));

    /// <summary>The UTF-8 bytes a text column holds for a value whose Text was not copied out: a string's content
    /// between its quotes (it has no escapes), or any other value's exact JSON text.</summary>
    public static ReadOnlySpan<byte> TextBytes(ReadOnlySpan<byte> line, in FieldValue value) => value.Kind switch
    {
        ValueKind.String => line.Slice(value.RawStart + 1, value.RawLength - 2),
        _ => line.Slice(value.RawStart, value.RawLength),
    };

}
