using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NovaBrain.Tests.Auth;
using NovaBrain.Tests.EndToEnd;

namespace NovaBrain.Tests.Gateway;

[TestClass]
public sealed class GatewayEdgeTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task ProtectedRoute_Answers401WithWwwAuthenticate_NeverARedirect_WithACorrelationId()
    {
        var system = await RunningSystem.GetAsync();
        using var gateway = system.CreateGatewayClient();

        using var anonymous = await gateway.GetAsync("/api/registry/v1/models", TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.IsTrue(anonymous.Headers.WwwAuthenticate.Any(value => value.Scheme == "Bearer"));
        Assert.IsNull(anonymous.Headers.Location);
        Assert.IsTrue(anonymous.Headers.TryGetValues("X-Correlation-Id", out var generated) && !string.IsNullOrEmpty(generated.Single()));

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/registry/v1/models");
        request.Headers.Add("X-Correlation-Id", "corr-12345");
        request.Headers.Add("X-Api-Key", "nbk_notakey_000");
        using var badKey = await gateway.SendAsync(request, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.Unauthorized, badKey.StatusCode, "an unknown API key is refused");
        Assert.AreEqual("corr-12345", badKey.Headers.GetValues("X-Correlation-Id").Single(), "a caller's correlation id is kept");
    }

    [TestMethod]
    public async Task ApiDocs_ListEveryServicesDocument_Anonymously()
    {
        var system = await RunningSystem.GetAsync();
        using var gateway = system.CreateGatewayClient();

        using var docs = await gateway.GetAsync("/api/docs", TestContext.CancellationToken);
        var html = await docs.Content.ReadAsStringAsync(TestContext.CancellationToken);
        if (docs.StatusCode is HttpStatusCode.Moved or HttpStatusCode.Redirect or HttpStatusCode.MovedPermanently)
        {
            html = await gateway.GetStringAsync(docs.Headers.Location, TestContext.CancellationToken);
        }
        Assert.IsTrue(docs.IsSuccessStatusCode || docs.Headers.Location is not null, $"{(int)docs.StatusCode}");
        StringAssert.Contains(html, "<html", StringComparison.OrdinalIgnoreCase);
    }

    [TestMethod]
    public async Task InferenceRateLimit_Answers429WithRetryAfter_HoldsAcrossTwoReplicas_AndRecovers()
    {
        var system = await RunningSystem.GetAsync();
        var token = await system.TokenOfAsync(await system.CreateClientAsync("inference:invoke"));
        using var first = system.CreateGatewayClient(token);
        using var second = system.CreateSecondGatewayClient().WithBearer(token);
        HttpClient[] replicas = [first, second];

        // A fixed window: the probe learns when this one ends, and the burst starts in the next, whole.
        using (var probe = await InferAsync(first))
        {
            var reset = int.Parse(probe.Headers.GetValues("RateLimit-Reset").Single());
            await Task.Delay(TimeSpan.FromSeconds(reset + 0.2), TestContext.CancellationToken);
        }

        var accepted = 0;
        HttpResponseMessage? limited = null;
        for (var call = 0; call < RunningSystem.InferencePermitLimit * 3 && limited is null; call++)
        {
            var response = await InferAsync(replicas[call % 2]);
            Assert.AreEqual(RunningSystem.InferencePermitLimit.ToString(), response.Headers.GetValues("RateLimit-Limit").Single());
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited = response;
            }
            else
            {
                accepted++;
                response.Dispose();
            }
        }

        Assert.IsNotNull(limited, "the limit was reached");
        using (limited)
        {
            Assert.AreEqual(RunningSystem.InferencePermitLimit, accepted, "both replicas count against one limit");
            var retryAfter = limited.Headers.RetryAfter?.Delta ?? throw new AssertFailedException("429 carries Retry-After");
            Assert.IsTrue(retryAfter > TimeSpan.Zero && retryAfter <= RunningSystem.InferenceWindow, $"Retry-After {retryAfter}");
            Assert.AreEqual("0", limited.Headers.GetValues("RateLimit-Remaining").Single());
            var problem = await limited.Content.ReadFromJsonAsync<JsonElement>(TestContext.CancellationToken);
            Assert.AreEqual(429, problem.GetProperty("status").GetInt32());

            await Task.Delay(retryAfter + TimeSpan.FromMilliseconds(500), TestContext.CancellationToken);
        }
        foreach (var replica in replicas)
        {
            using var recovered = await InferAsync(replica);
            Assert.AreNotEqual(HttpStatusCode.TooManyRequests, recovered.StatusCode, "the limit recovers after the window");
        }
    }

    private Task<HttpResponseMessage> InferAsync(HttpClient gateway) =>
        gateway.PostAsJsonAsync("/v2/models/rate-probe/infer", new { inputs = Array.Empty<object>() }, TestContext.CancellationToken);
}
