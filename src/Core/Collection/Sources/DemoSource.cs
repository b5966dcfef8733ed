using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace PipelineOps.Collection.Sources;

/// <summary>
/// A synthetic market feed shaped like Coinbase's: a snapshot per product first, then l2update records (changes as
/// [side, price, size] string triples) and tickers (numeric strings), for several products, on random-walk prices.
/// The same seed gives the same records; the clock gives their time. Rate is records per second.
/// </summary>
public sealed class DemoSource(int rate, int? seed, TimeProvider? clock = null) : IRecordSource
{
    private static readonly (string Product, double Price)[] Products =
        [("BTC-USD", 42_000), ("ETH-USD", 2_300), ("SOL-USD", 95), ("DOGE-USD", 0.085)];

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public string Description => $"demo ({rate}/s{(seed is { } s ? $", seed {s}" : "")})";

    public async Task RunAsync(SourceContext context, CancellationToken cancellationToken)
    {
        var random = seed is { } s ? new Random(s) : new Random();
        var prices = Products.Select(p => p.Price).ToArray();
        var sequences = new long[Products.Length];
        var tradeId = 1L;
        for (var p = 0; p < Products.Length; p++)
        {
            await context.EmitAsync(Snapshot(p, prices[p], random), cancellationToken);
        }

        var started = _clock.GetTimestamp();
        long sent = 0;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10), _clock);
        while (!cancellationToken.IsCancellationRequested)
        {
            var due = (long)(_clock.GetElapsedTime(started).TotalSeconds * rate);
            for (; sent < due; sent++)
            {
                var p = random.Next(Products.Length);
                prices[p] *= 1 + (random.NextDouble() - 0.5) * 0.0004;
                var record = random.NextDouble() < 0.8
                    ? L2Update(p, prices[p], ++sequences[p], random)
                    : Ticker(p, prices[p], ++sequences[p], tradeId++, random);
                await context.EmitAsync(record, cancellationToken);
            }

            try
            {
                await timer.WaitForNextTickAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private string Now => _clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private static string Price(double value) => value.ToString(value < 1 ? "0.000000" : "0.00", CultureInfo.InvariantCulture);

    private static string Size(Random random) => (random.NextDouble() * 2).ToString("0.00000000", CultureInfo.InvariantCulture);

    private byte[] Snapshot(int p, double price, Random random) => Write(json =>
    {
        json.WriteString("type", "snapshot");
        json.WriteString("product_id", Products[p].Product);
        foreach (var (side, sign) in new[] { ("bids", -1), ("asks", 1) })
        {
            json.WriteStartArray(side);
            for (var level = 1; level <= 10; level++)
            {
                json.WriteStartArray();
                json.WriteStringValue(Price(price * (1 + sign * level * 0.0001)));
                json.WriteStringValue(Size(random));
                json.WriteEndArray();
            }

            json.WriteEndArray();
        }

        json.WriteString("time", Now);
    });

    private byte[] L2Update(int p, double price, long sequence, Random random) => Write(json =>
    {
        json.WriteString("type", "l2update");
        json.WriteString("product_id", Products[p].Product);
        json.WriteStartArray("changes");
        json.WriteStartArray();
        var buy = random.Next(2) == 0;
        json.WriteStringValue(buy ? "buy" : "sell");
        json.WriteStringValue(Price(price * (1 + (buy ? -1 : 1) * random.Next(1, 20) * 0.00005)));
        json.WriteStringValue(random.Next(4) == 0 ? "0.00000000" : Size(random));
        json.WriteEndArray();
        json.WriteEndArray();
        json.WriteString("time", Now);
        json.WriteNumber("sequence", sequence);
    });

    private byte[] Ticker(int p, double price, long sequence, long tradeId, Random random) => Write(json =>
    {
        json.WriteString("type", "ticker");
        json.WriteNumber("sequence", sequence);
        json.WriteString("product_id", Products[p].Product);
        json.WriteString("price", Price(price));
        json.WriteString("open_24h", Price(Products[p].Price));
        json.WriteString("volume_24h", (random.NextDouble() * 20_000).ToString("0.00000000", CultureInfo.InvariantCulture));
        json.WriteString("best_bid", Price(price * 0.9999));
        json.WriteString("best_ask", Price(price * 1.0001));
        json.WriteString("side", random.Next(2) == 0 ? "buy" : "sell");
        json.WriteString("time", Now);
        json.WriteNumber("trade_id", tradeId);
        json.WriteString("last_size", Size(random));
    });

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            body(json);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
