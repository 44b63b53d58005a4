using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NovaBrain.Tests.Auth;
using NovaBrain.Tests.EndToEnd;
using NovaBrain.Tests.Registry;

namespace NovaBrain.Tests.Serving;

/// <summary>Model serving as the system tests call it: deployments, and the inference protocol over REST.</summary>
internal static class ServingClient
{
    public const string Deployments = "/api/serving/v1/deployments";

    public static readonly string[] Permissions = ["models:read", "models:write", "deployments:manage", "inference:invoke", "monitoring:read"];

    /// <summary>
    /// A fresh principal holding what serving needs: the gateway limits inference calls per principal, so each test
    /// counts its own.
    /// </summary>
    public static async Task<string> FreshTokenAsync(this RunningSystem system) =>
        await system.TokenOfAsync(await system.CreateClientAsync(Permissions));

    /// <summary>Model serving itself, past the gateway (and its inference rate limit), signed with <paramref name="token"/>.</summary>
    public static HttpClient CreateServingClient(this RunningSystem system, string token) =>
        new HttpClient { BaseAddress = system.App.GetEndpoint("model-serving", "http") }.WithBearer(token);

    /// <summary>Registers a model with one version per seed (version n has seed n), returning its name and the files.</summary>
    public static async Task<(string Name, byte[][] Files)> RegisterMlpAsync(this HttpClient gateway, params int[] seeds)
    {
        var name = await gateway.CreateModelAsync();
        var files = new List<byte[]>();
        foreach (var seed in seeds)
        {
            await gateway.RegisterOnnxAsync(name, seed);
            files.Add(RegistryClient.Mlp(seed));
        }
        return (name, files.ToArray());
    }

    public static async Task<DeploymentBody> DeployAsync(this HttpClient client, string name, string model, object? settings = null)
    {
        using var response = await client.PostAsJsonAsync(Deployments, Body(name, model, settings));
        Assert.AreEqual(HttpStatusCode.Accepted, response.StatusCode, await response.Content.ReadAsStringAsync());
        return await response.ReadAsync<DeploymentBody>();
    }

    private static Dictionary<string, object?> Body(string name, string model, object? settings)
    {
        var body = settings is null
            ? new Dictionary<string, object?>()
            : JsonSerializer.Deserialize<Dictionary<string, object?>>(JsonSerializer.Serialize(settings))!;
        body["name"] = name;
        body["model"] = model;
        return body;
    }

    public static Task<DeploymentBody> WaitForStateAsync(this HttpClient client, string name, string state, Func<DeploymentBody, bool>? also = null) =>
        Eventually.ReturnsAsync(
            async () => (await client.GetFromJsonAsync<DeploymentBody>($"{Deployments}/{name}", RegistryClient.Json))!,
            deployment => deployment.State == state && (also?.Invoke(deployment) ?? true),
            TimeSpan.FromSeconds(90),
            $"deployment {name} {state}");

    public static async Task<HttpResponseMessage> InferJsonAsync(this HttpClient client, string model, float[] rows, string? id = null, string? version = null)
    {
        var batch = rows.Length / ServingModels.InputWidth;
        var nested = Enumerable.Range(0, batch).Select(row => rows.Skip(row * ServingModels.InputWidth).Take(ServingModels.InputWidth).ToArray()).ToArray();
        var path = version is null ? $"/v2/models/{model}/infer" : $"/v2/models/{model}/versions/{version}/infer";
        return await client.PostAsJsonAsync(path, new
        {
            id,
            inputs = new[] { new { name = "input", datatype = "FP32", shape = new[] { batch, ServingModels.InputWidth }, data = nested } },
        });
    }

    public static async Task<float[]> OutputOfAsync(this HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, body);
        var output = JsonDocument.Parse(body).RootElement.GetProperty("outputs")[0];
        return output.GetProperty("data").EnumerateArray().Select(value => value.GetSingle()).ToArray();
    }

    public static async Task AssertProtocolErrorAsync(this HttpResponseMessage response, HttpStatusCode status, string containing)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.AreEqual(status, response.StatusCode, body);
        var error = JsonDocument.Parse(body).RootElement.GetProperty("error").GetString();
        StringAssert.Contains(error, containing, body);
    }
}

public sealed record ServingVersionBody(string Model, int Version, string Reference, string Digest, string Provider, string Platform, ThreadsBody Threads);

public sealed record ThreadsBody(int IntraOp, bool Shared);

public sealed record UpdateStatusBody(string Model, string State, string? Reason);

public sealed record CanaryBody(string Model, int Percent, string State, string? Reason, int? Version);

public sealed record DeploymentBody(
    string Name, string Model, string State, bool Ready, string? Reason, ServingVersionBody? Serving, UpdateStatusBody? Update, CanaryBody? Canary, int Instances);
