using System.Net.Http.Json;
using NovaBrain.Tests.Auth;
using NovaBrain.Tests.EndToEnd;

namespace NovaBrain.Tests.Registry;

/// <summary>The registry's events reach the audit trail, each exactly once, under <c>model:&lt;name&gt;</c>.</summary>
[TestClass]
public sealed class RegistryAuditTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task EveryRegistryEvent_IsAuditedExactlyOnce_UnderTheModelsSubject()
    {
        var system = await RunningSystem.GetAsync();
        var token = await system.AdminTokenAsync();
        using var admin = system.CreateGatewayClient(token);
        var name = await admin.CreateModelAsync();
        await admin.RegisterOnnxAsync(name, seed: 1);
        await admin.RegisterOnnxAsync(name, seed: 2);
        (await admin.ChangeStageAsync(name, 1, new { stage = "Staging", reason = "audited" })).EnsureSuccessStatusCode();
        (await admin.PutAsJsonAsync($"{RegistryClient.Models}/{name}/aliases/champion", new { version = 1 }, TestContext.CancellationToken)).EnsureSuccessStatusCode();
        (await admin.DeleteAsync($"{RegistryClient.Models}/{name}/versions/2", TestContext.CancellationToken)).EnsureSuccessStatusCode();

        var expected = new Dictionary<string, int>
        {
            ["RegisteredModelCreated"] = 1,
            ["ModelVersionRegistered"] = 2,
            ["ModelVersionStageChanged"] = 1,
            ["ModelAliasMoved"] = 1,
            ["ModelVersionDeleted"] = 1,
        };
        await Eventually.ReturnsAsync(
            () => AuditAsync(admin, name), audit => audit.Length >= expected.Values.Sum(), TimeSpan.FromSeconds(60), "every registry event in the audit trail");
        await Task.Delay(TimeSpan.FromSeconds(2), TestContext.CancellationToken);
        var audit = await AuditAsync(admin, name);

        CollectionAssert.AreEquivalent(
            expected.OrderBy(e => e.Key).Select(e => $"{e.Key} x{e.Value}").ToArray(),
            audit.GroupBy(e => e.EventName).OrderBy(g => g.Key).Select(g => $"{g.Key} x{g.Count()}").ToArray());
        Assert.IsTrue(audit.All(entry => entry.Subject == $"model:{name}" && entry.Actor == RegistryClient.SubjectOf(token)), "each names the model and the admin");
    }

    private async Task<AuditEntryBody[]> AuditAsync(HttpClient admin, string name) =>
        (await admin.GetFromJsonAsync<AuditEntryBody[]>($"/api/logging/v1/audit?subject={Uri.EscapeDataString("model:" + name)}", RegistryClient.Json, TestContext.CancellationToken))!;
}
