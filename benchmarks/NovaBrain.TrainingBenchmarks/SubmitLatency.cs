using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace NovaBrain.TrainingBenchmarks;

/// <summary>One tiny job: how long after it was submitted a worker claimed it and reported its first epoch.</summary>
public sealed record SubmitTiming(TimeSpan ToClaimed, TimeSpan ToFirstProgress);

/// <summary>Tiny jobs submitted one after another through the gateway of a running system, each to an idle worker.</summary>
public sealed class SubmitLatency(TrainingBenchmarkOptions options) : IDisposable
{
    private const string Jobs = "/api/training/v1/jobs";

    private readonly HttpClient gateway = new() { BaseAddress = options.Gateway, Timeout = TimeSpan.FromMinutes(2) };

    public async Task<IReadOnlyList<SubmitTiming>> MeasureAsync()
    {
        await SignInAsync();
        var dataset = await UploadAsync(TinyCsv());
        var timings = new List<SubmitTiming>();
        for (var repetition = 0; repetition < options.Repetitions; repetition++)
        {
            using var submitted = await gateway.PostAsJsonAsync(Jobs, new
            {
                template = "mlp-regressor",
                hyperparameters = new { hiddenLayers = new[] { 4 }, epochs = 1, seed = repetition },
                dataset,
                labelColumn = "y",
                modelName = $"submit-latency-{Guid.NewGuid():N}"[..30],
            });
            var id = (await ReadAsync(submitted, "submitting a job")).GetProperty("id").GetString();
            var job = await WaitUntilFinishedAsync(id!);
            using var progressResponse = await gateway.GetAsync($"{Jobs}/{id}/progress");
            var progress = await ReadAsync(progressResponse, "reading the job's progress");
            var created = job.GetProperty("createdAt").GetDateTimeOffset();
            timings.Add(new SubmitTiming(
                job.GetProperty("startedAt").GetDateTimeOffset() - created,
                progress[0].GetProperty("at").GetDateTimeOffset() - created));
        }
        return timings;
    }

    public static void WriteTable(TextWriter output, IReadOnlyList<SubmitTiming> timings)
    {
        static string Line(string what, IEnumerable<TimeSpan> values)
        {
            var sorted = values.Order().ToArray();
            return string.Create(CultureInfo.InvariantCulture,
                $"{what,-32} {sorted[sorted.Length / 2].TotalMilliseconds,10:F0} {sorted[^1].TotalMilliseconds,10:F0}");
        }
        output.WriteLine($"{"submit to (" + timings.Count + " jobs)",-32} {"p50 ms",10} {"max ms",10}");
        output.WriteLine(Line("claimed by a worker (Running)", timings.Select(timing => timing.ToClaimed)));
        output.WriteLine(Line("first progress event (epoch 1)", timings.Select(timing => timing.ToFirstProgress)));
    }

    private async Task SignInAsync()
    {
        using var response = await gateway.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["client_id"] = TrainingBenchmarkOptions.ClientId,
            ["username"] = options.User,
            ["password"] = options.Password!,
            ["scope"] = "openid",
        }));
        var token = (await ReadAsync(response, "the token endpoint")).Deserialize<TokenResponse>()?.AccessToken
            ?? throw new InvalidOperationException("The token endpoint answered no access_token.");
        gateway.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    /// <summary>y = 2·x + 1 over 20 rows: reading and training it takes next to nothing, so the timings are overheads.</summary>
    private static string TinyCsv() =>
        "x,y\n" + string.Concat(Enumerable.Range(0, 20).Select(i => string.Create(CultureInfo.InvariantCulture, $"{i / 10.0},{2 * i / 10.0 + 1}\n")));

    private async Task<string> UploadAsync(string csv)
    {
        var bytes = Encoding.UTF8.GetBytes(csv);
        var digest = $"sha256:{Convert.ToHexStringLower(SHA256.HashData(bytes))}";
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var response = await gateway.PutAsync($"/api/params/v1/blobs/{digest}", content);
        await ReadAsync(response, "uploading the dataset");
        return digest;
    }

    private async Task<JsonElement> WaitUntilFinishedAsync(string id)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            using var response = await gateway.GetAsync($"{Jobs}/{id}");
            var job = await ReadAsync(response, "reading the job");
            switch (job.GetProperty("state").GetString())
            {
                case "Succeeded":
                    return job;
                case "Failed" or "Cancelled":
                    throw new InvalidOperationException($"Job {id} did not succeed: {job}");
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"Job {id} did not finish within 2 minutes.");
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response, string what)
    {
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{what} answered {(int)response.StatusCode}: {body}");
        }
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
    }

    public void Dispose() => gateway.Dispose();

    private sealed record TokenResponse([property: JsonPropertyName("access_token")] string? AccessToken);
}
