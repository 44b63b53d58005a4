using Microsoft.Extensions.DependencyInjection;
using NovaBrain.Tests.EndToEnd;

namespace NovaBrain.Tests.Auth;

/// <summary>
/// Secrets never reach a log. Runs after the parallel tests (it is not parallel itself), so the logs it reads hold
/// everything the suite did: sign-ins, failed sign-ins, keys, clients, forged tokens.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class SecretHygieneTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task NoServicesLog_HoldsAPasswordAKeyOrAClientSecret()
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();
        var key = await admin.CreateApiKeyAsync(["models:read"]);
        using var gateway = system.CreateGatewayClient();
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/api/registry/v1/models"))
        {
            request.Headers.Add("X-Api-Key", key.Key);
            using var response = await gateway.SendAsync(request, TestContext.CancellationToken);
            Assert.IsTrue(response.IsSuccessStatusCode);
        }
        var client = await system.CreateClientAsync("models:read");
        await system.TokenOfAsync(client);
        // A refused password that contains the real one: a log that printed attempted passwords would show it.
        var refused = await Tokens.PasswordAsync(gateway, "admin", "x" + system.AdminPassword);
        Assert.AreEqual("invalid_grant", refused.Error);

        var secrets = new Dictionary<string, string>
        {
            ["admin password"] = system.AdminPassword,
            ["API key"] = key.Key,
            ["client secret"] = client.ClientSecret,
            ["gateway's client secret"] = system.Secret("gateway-client-secret"),
            ["registry's client secret"] = system.Secret("model-registry-client-secret"),
        };
        var logs = system.App.Services.GetRequiredService<ResourceLoggerService>();
        var linesRead = 0;
        var sawTheKeysRequest = false;
        // Aspire keys a project's logs by its running instance's name (e.g. auth-x7k2a), not the resource's.
        var instances = system.App.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<ProjectResource>()
            .Select(project => system.App.ResourceNotifications.TryGetCurrentState(project.Name, out var state) ? state.ResourceId : project.Name);
        foreach (var instance in instances)
        {
            // Watching replays what the resource has logged so far, then waits for more: a few quiet seconds end it.
            using var quiet = CancellationTokenSource.CreateLinkedTokenSource(TestContext.CancellationToken);
            quiet.CancelAfter(TimeSpan.FromSeconds(3));
            try
            {
                await foreach (var batch in logs.WatchAsync(instance).WithCancellation(quiet.Token))
                {
                    foreach (var line in batch)
                    {
                        linesRead++;
                        sawTheKeysRequest |= line.Content.Contains($"api-key:{key.Id}", StringComparison.Ordinal);
                        foreach (var (what, secret) in secrets)
                        {
                            Assert.IsFalse(line.Content.Contains(secret, StringComparison.Ordinal), $"{instance} logged the {what}: {line.Content}");
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (quiet.IsCancellationRequested && !TestContext.CancellationToken.IsCancellationRequested)
            {
            }
        }

        Assert.IsGreaterThan(1000, linesRead, "the services' logs were read");
        Assert.IsTrue(sawTheKeysRequest, "the gateway's access log names the key by its id");
    }
}
