using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace NovaBrain.ServingBenchmarks;

/// <summary>The platform as the benchmark sets it up: a token, models in the registry, deployments in model serving.</summary>
public sealed class Platform(ServingBenchmarkOptions options) : IDisposable
{
    private readonly HttpClient gateway = new() { BaseAddress = options.Gateway, Timeout = TimeSpan.FromMinutes(5) };

    public string AccessToken { get; private set; } = "";

    public async Task SignInAsync()
    {
        using var response = await gateway.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["client_id"] = ServingBenchmarkOptions.ClientId,
            ["username"] = options.User,
            ["password"] = options.Password,
            ["scope"] = "openid",
        }));
        await EnsureAsync(response, "the token endpoint");
        AccessToken = (await response.Content.ReadFromJsonAsync<TokenResponse>())?.AccessToken
            ?? throw new InvalidOperationException("The token endpoint answered no access_token.");
        gateway.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AccessToken);
    }

    /// <summary>Registers <paramref name="file"/> as version 1 of a new model named <paramref name="model"/>.</summary>
    public async Task RegisterAsync(string model, byte[] file)
    {
        using (var created = await gateway.PostAsJsonAsync("/api/registry/v1/models", new { name = model, description = "serving benchmark" }))
        {
            await EnsureAsync(created, "creating the model");
        }
        using var content = new MultipartFormDataContent();
        content.Add(new StringContent("""{"format":"onnx"}""", System.Text.Encoding.UTF8, "application/json"), "metadata");
        var artifact = new ByteArrayContent(file);
        artifact.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Add(artifact, "file", "model.onnx");
        using var registered = await gateway.PostAsync($"/api/registry/v1/models/{model}/versions", content);
        await EnsureAsync(registered, "registering the version");
    }

    /// <summary>Deploys <paramref name="reference"/> as <paramref name="name"/> and waits until it is ready.</summary>
    public async Task DeployAsync(string name, string reference, int maxBatchSize, int maxQueueDelayMicroseconds)
    {
        using (var created = await gateway.PostAsJsonAsync("/api/serving/v1/deployments",
            new { name, model = reference, batching = new { maxBatchSize, maxQueueDelayMicroseconds, maxQueueSize = 4096 } }))
        {
            await EnsureAsync(created, $"deploying {name}");
        }
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (DateTime.UtcNow < deadline)
        {
            var status = await gateway.GetFromJsonAsync<JsonElement>($"/api/serving/v1/deployments/{name}");
            switch (status.GetProperty("state").GetString())
            {
                case "Ready":
                    return;
                case "Failed":
                    throw new InvalidOperationException($"Deployment {name} failed: {status.GetProperty("reason")}");
            }
            await Task.Delay(500);
        }
        throw new TimeoutException($"Deployment {name} was not ready within 5 minutes.");
    }

    public async Task DeleteAsync(string name)
    {
        using var _ = await gateway.DeleteAsync($"/api/serving/v1/deployments/{name}");
    }

    private static async Task EnsureAsync(HttpResponseMessage response, string what)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{what} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    public void Dispose() => gateway.Dispose();

    private sealed record TokenResponse([property: JsonPropertyName("access_token")] string? AccessToken);
}
