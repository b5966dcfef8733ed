using System.Diagnostics;
using System.Text;
using PipelineOps.Collection;
using PipelineOps.Text;

namespace PipelineOps.Tests.Collection;

/// <summary>
/// The collector's one pass over a message gives the shared verdict word for word, and the fields that a separate
/// reading (RecordInspector) finds, on tricky records and on thousands of damaged ones.
/// </summary>
public sealed class RecordCheckTests
{
    private static readonly RecordCheck.Names Names = new("type", "time", "sequence");

    public static TheoryData<string> Tricky() =>
    [
        """{"type":"ticker","time":"2026-11-28T00:00:00Z","sequence":42}""",
        """{"type":"a","type":"b","sequence":1,"sequence":"2"}""",
        """{"t\u0079pe":"esc","time":"12\u003a00","sequence":-1.5e3}""",
        """{"type":{"type":"inner"},"time":["time"],"sequence":null}""",
        """{"type":"x","type":{"nested":1}}""",
        """{"type":"","time":"","sequence":0}""",
        """{"type":"caf\u00e9 \ud83d\ude00","x":[1,{"y":[2,[3]]}],"time":true}""",
        """  { "type" : "spaced" , "sequence" : 7 }  """,
        "{\"type\":\"日本\",\"time\":\"naïve\"}",
        // Strings longer than the scan's 16-byte steps, with what ends them beyond the first step.
        """{"type":"longer than sixteen bytes \u0041 escaped","time":"2026-11-28T00:00:00.123456Z"}""",
        "{\"type\":\"longer than sixteen bytes\twith a raw tab\"}",
        "{\"type\":\"longer than sixteen bytes and then \u0001 a raw control\"}",
        "{\"type\":\"ünïcödé ünïcödé ünïcödé ünïcödé\",\"time\":\"exactly sixteen!\"}",
        """{}""",
        """{"type":"a"} {"type":"b"}""",
        """{"type":"a"}]""",
        """[{"type":"a"}]""",
        "\"just text\" ",
        """{"type":"lone \ud800 surrogate"}""",
        """{"type":"bad escape \x"}""",
        """{"type":"a",}""",
        """{"type":"a" "time":"b"}""",
        """{"type":01}""",
        """{"type":"a"}//comment""",
        "{\"type\":\"tab\tinside\"}",
        """{"sequence":1e400}""",
        """{"sequence":-0,"time":0.5e+10,"type":1E-3,"x":[true,false,null,-12.50e-01]}""",
        """{"sequence":-}""",
        """{"sequence":01}""",
        """{"sequence":1.}""",
        """{"sequence":.5}""",
        """{"sequence":+1}""",
        """{"sequence":1e}""",
        """{"sequence":1e+}""",
        """{"sequence":1.5.2}""",
        """{"x":[1,]}""",
        """{"x":[,1]}""",
        """{"x":{"a":1,}}""",
        """{"x":{"a" 1}}""",
        """{"x":tru}""",
        """{"x":nulll}""",
        """{"x":truefalse}""",
        """{"x":1true}""",
        """{"x":"a"b"}""",
        """{"a":1}}""",
        """{"a":1""",
        """{"a":[1,2""",
        """{"a" : [ 1 , { "b" : [ ] , "c" : { } } ] , "type" : "ok" }""",
        "{\"type\":\"nul\u0000in\"}",
        "{\"type\":\"del\u007fin\"}",
        "{\"type\":\"x\"}\u0000",
        "\uFEFF{\"type\":\"bom\"}",
        "{\"deep\":" + new string('[', 15) + new string(']', 15) + "}",
        "{\"deep\":" + new string('[', 16) + new string(']', 16) + "}",
        "{\"deep\":" + new string('[', 20) + "1" + new string(']', 20) + "}",
        "{\"deep\":" + string.Concat(Enumerable.Repeat("{\"a\":", 20)) + "1" + new string('}', 20) + "}",
        "",
        "   ",
        new string('[', 70),
        "{\"deep\":" + new string('[', 62) + new string(']', 62) + "}",
        "{\"deep\":" + new string('[', 63) + new string(']', 63) + "}",
        "{\"deep\":" + new string('[', 64) + new string(']', 64) + "}",
    ];

    [Theory]
    [MemberData(nameof(Tricky))]
    public void Gives_the_shared_verdict_and_the_fields_of_a_separate_reading(string text) => AssertSame(Encoding.UTF8.GetBytes(text));

    [Fact]
    public void Invalid_utf8_is_rejected_as_the_shared_rules_say() =>
        AssertSame([.. "{\"type\":\""u8, 0xC3, 0x28, .. "\"}"u8]);

    [Theory]
    [InlineData("""{"type":"ticker","time":"2026-11-28T00:00:00Z","sequence":42}""")]
    [InlineData("""  { "type" : "spaced" , "sequence" : -1.5e+3 , "x" : [ true , null , { } ] }  """)]
    [InlineData("{\"type\":\"日本\",\"time\":\"naïve\"}")]
    public void Common_records_are_taken_by_the_plain_scan(string text)
    {
        // The reader decides whatever the scan is not sure of, so a scan that took nothing would pass every verdict
        // test: this one keeps the fast path in use.
        Assert.Null(RecordCheck.Run(Encoding.UTF8.GetBytes(text), Names, out _, out var plain));
        Assert.True(plain);
    }

    [Theory]
    [InlineData("{\"type\":\"tab\tinside\"}")]
    [InlineData("{\"type\":\"a\",\n\"time\":\"pretty\"}")]
    [InlineData("""{"type":"esc\u0041ped"}""")]
    [InlineData("{\"type\":\"a\"}\r")]
    public void Escapes_control_characters_and_line_breaks_go_to_the_reader(string text)
    {
        var message = Encoding.UTF8.GetBytes(text);
        Assert.Equal(JsonLineRules.Verdict(message), RecordCheck.Run(message, Names, out _, out var plain));
        Assert.False(plain);
    }

    [Fact]
    public void Values_across_the_scans_64_byte_blocks_are_read_whole()
    {
        // Each value in turn straddles a block boundary, in short messages, in messages a little over 2 KB (whose bits
        // are kept in a pooled array) and just past a block's end.
        foreach (var pad in new[] { 0, 1000, 2000 })
        {
            for (var shift = 0; shift < 140; shift++)
            {
                var text = $$"""{"pad":"{{new string('p', pad + shift)}}","sequence":12345678901234567890.25e-7,"x":[1,-0,23.5,"q"],"type":"t{{new string('y', shift % 70)}}","time":"2026-11-28T00:00:00.123456Z"}""";
                var message = Encoding.UTF8.GetBytes(text);
                AssertSame(message);
                Assert.Null(RecordCheck.Run(message, Names, out var fields, out var plain));
                Assert.True(plain);
                Assert.Equal("12345678901234567890.25e-7", fields.Sequence.Text);
                Assert.Equal("t" + new string('y', shift % 70), fields.Stream.Text);

                var broken = text.Replace("23.5", "23.", StringComparison.Ordinal); // a fraction without digits
                AssertSame(Encoding.UTF8.GetBytes(broken));
            }
        }
    }

    /// <summary>This machine's widest vectors are what the other tests cover; the scan also has 32- and 16-byte paths
    /// (AVX2 machines, ARM): these tests run again in a child process with the wider ones turned off.</summary>
    [Theory]
    [InlineData("DOTNET_EnableAVX512")]
    [InlineData("DOTNET_EnableAVX2")]
    public async Task The_scan_agrees_with_narrower_vectors(string switchedOff)
    {
        if (Environment.GetEnvironmentVariable("PIPELINEOPS_NARROW_VECTORS") is not null)
        {
            return; // this is the child run
        }

        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            ArgumentList = { "test", typeof(RecordCheckTests).Assembly.Location, "--filter", $"FullyQualifiedName~{nameof(RecordCheckTests)}" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { [switchedOff] = "0", ["PIPELINEOPS_NARROW_VECTORS"] = "1" },
        };
        using var child = Process.Start(start)!;
        var error = child.StandardError.ReadToEndAsync();
        var output = await child.StandardOutput.ReadToEndAsync();
        await child.WaitForExitAsync();
        Assert.True(child.ExitCode == 0, $"with {switchedOff}=0:\n{output}\n{await error}");
        Assert.Contains("Passed!", output, StringComparison.Ordinal);
    }

    /// <summary>Names are compared eight bytes at a time where eight are left, byte by byte near the end; a long name
    /// is told from one that shares its first eight bytes.</summary>
    [Theory]
    [InlineData("""{"x":1,"s":"last"}""", "last", null, null)]
    [InlineData("""{"ts":2,"s":"a","seq":7}""", "a", "2", "7")]
    [InlineData("""{"sequence_number":5,"sequence_numbers":6,"s":"q"}""", "q", null, "5")]
    [InlineData("""{"sequence_numbers":6,"sequence_number":"5"}""", null, null, "5")]
    [InlineData("""{"sequence_numbex":4,"s":"a"}""", "a", null, null)]
    [InlineData("""{"s":"a","s":[1,"s"],"s":"b","ts":true,"ts":"t"}""", "b", "t", null)]
    [InlineData("""{"ss":"no","t":"no","seq_":"no"}""", null, null, null)]
    public void Names_of_any_length_are_matched_whole(string text, string? stream, string? time, string? sequence)
    {
        var names = new RecordCheck.Names("s", "ts", text.Contains("sequence", StringComparison.Ordinal) ? "sequence_number" : "seq");
        var message = Encoding.UTF8.GetBytes(text);
        Assert.Null(RecordCheck.Run(message, names, out var fields, out var plain));
        Assert.True(plain);
        Assert.Equal((stream, time, sequence), (fields.Stream.Text, fields.Time.Text, fields.Sequence.Text));
    }

    [Fact]
    public void Fields_after_arrays_and_objects_with_strings_in_them_are_read()
    {
        // The walk takes names' and strings' quotes in turn; an array or object value is passed by other means, and
        // the quotes inside it must not be taken for the fields after it.
        var text = """{"a":["x","y",{"q":"}],"}],"type":"after","b":{"c":"d","e":["f"]},"time":"t","n":[],"sequence":3}""";
        var message = Encoding.UTF8.GetBytes(text);
        AssertSame(message);
        Assert.Null(RecordCheck.Run(message, Names, out var fields, out var plain));
        Assert.True(plain);
        Assert.Equal(("after", "t", "3"), (fields.Stream.Text, fields.Time.Text, fields.Sequence.Text));
    }

    [Fact]
    public void Damaged_records_get_the_same_verdict_at_every_byte()
    {
        var records = new[]
        {
            """{"type":"l2update","product_id":"BTC-USD","changes":[["buy","42000.10","0.5"]],"time":"2026-11-28T00:00:00.123456Z","sequence":123}""",
            """{"type":"t\u00e9","nested":{"a":[1,2.5e-3,true,null,"s"]},"sequence":"9"}""",
        };
        var damage = "\"{}[],:\\x 0-.etn\t"u8.ToArray().Append((byte)0x01).Append((byte)0xFF).ToArray();
        var checkedCount = 0;
        foreach (var record in records.Select(Encoding.UTF8.GetBytes))
        {
            for (var at = 0; at < record.Length; at++)
            {
                AssertSame(record[..at]); // cut short
                foreach (var b in damage)
                {
                    var copy = (byte[])record.Clone();
                    copy[at] = b;
                    AssertSame(copy);
                    checkedCount++;
                }
            }
        }

        Assert.True(checkedCount > 1000);
    }

    [Fact]
    public void Random_records_and_their_mutations_get_the_same_verdict_and_fields()
    {
        // Flat and nested records of random length with the wanted names, look-alike names, strings, numbers, literals,
        // arrays and objects, a third of them mutated (a byte replaced, inserted or removed) from JSON's alphabet.
        var random = new Random(19);
        var alphabet = "\"{}[],: 01-.etrunlax\\é";
        var scanned = 0;
        for (var n = 0; n < 30_000; n++)
        {
            var text = new StringBuilder("{");
            for (var f = random.Next(1, 12); f > 0; f--)
            {
                var name = random.Next(6) switch
                {
                    0 => "type", 1 => "time", 2 => "sequence", 3 => new string('n', random.Next(12)),
                    4 => "sequenc" + (char)('a' + random.Next(26)), _ => "id" + random.Next(100),
                };
                text.Append('"').Append(name).Append("\":").Append(random.Next(6) switch
                {
                    0 => '"' + new string('v', random.Next(70)) + '"',
                    1 => random.Next(-1000, 100_000).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    2 => (random.NextDouble() * 1e6).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    3 => "[\"a\",1,{\"b\":\"c\"}]",
                    4 => random.Next(2) == 0 ? "true" : "null",
                    _ => "{\"time\":\"inner\"}",
                }).Append(f > 1 ? "," : "");
            }

            text.Append('}');
            for (var m = random.Next(3) == 0 ? random.Next(1, 4) : 0; m > 0 && text.Length > 0; m--)
            {
                var at = random.Next(text.Length);
                var c = alphabet[random.Next(alphabet.Length)];
                _ = random.Next(3) switch { 0 => text.Remove(at, 1).Insert(at, c), 1 => text.Insert(at, c), _ => text.Remove(at, 1) };
            }

            var message = Encoding.UTF8.GetBytes(text.ToString());
            AssertSame(message);
            scanned += RecordCheck.Run(message, Names, out _, out var plain) is null && plain ? 1 : 0;
        }

        Assert.True(scanned > 10_000, $"the scan took {scanned}"); // the fast path is what is being compared
    }

    private static void AssertSame(byte[] message)
    {
        var expected = JsonLineRules.Verdict(message);
        var problem = RecordCheck.Run(message, Names, out var fields);
        Assert.Equal(expected, problem);
        if (problem is null)
        {
            var separate = RecordInspector.Inspect(message, "type", "time", "sequence");
            Assert.Equal(separate.Stream, fields.Stream.Text);
            Assert.Equal(separate.Time, fields.Time.Text);
            Assert.Equal(separate.Sequence, fields.Sequence.Text);
            Assert.Equal(separate.Stream is null ? [] : Encoding.UTF8.GetBytes(separate.Stream), fields.Stream.Utf8.ToArray());
        }
    }
}
