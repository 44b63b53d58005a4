namespace NovaBrain.Tests.AppHost;

[TestClass]
public sealed class IdentityModelTests
{
    private static readonly string[] ClientServices =
        ["auth", "model-registry", "model-serving", "data-processing", "training", "training-worker", "parameters", "monitoring", "logging", "gateway"];

    [TestMethod]
    public async Task EveryService_TrustsTheGatewayIssuer_AndHasItsOwnClient()
    {
        await using var builder = await AppHostModel.BuildAsync([.. FakeServerBinaries.Settings(), "NovaBrain:Gateway:HttpPort=18080"]);

        var secrets = new HashSet<object>();
        foreach (var name in ClientServices)
        {
            var env = await builder.Single<ProjectResource>(name).EnvironmentAsync();
            Assert.AreEqual("http://localhost:18080/", env["Identity__Issuer"], name);
            Assert.AreEqual($"svc-{name}", env["Identity__ClientId"], name);
            var secret = (ParameterResource)env["Identity__ClientSecret"];
            Assert.IsTrue(secret.Secret, $"{name}'s client secret is a secret parameter");
            Assert.IsTrue(secrets.Add(secret), $"{name} has a secret of its own");
            if (name != "auth")
            {
                Assert.IsTrue(env.ContainsKey("services__auth__http__0"), $"{name} finds the auth service");
            }
        }
    }

    [TestMethod]
    public async Task AuthService_ReceivesTheAdminPassword_AndEveryServiceClient()
    {
        await using var builder = await AppHostModel.BuildAsync([.. FakeServerBinaries.Settings(), "NovaBrain:Gateway:Replicas=2"]);

        var env = await builder.Single<ProjectResource>("auth").EnvironmentAsync();
        Assert.AreEqual("admin-password", ((ParameterResource)env["Auth__Bootstrap__AdminPassword"]).Name);
        var clients = env.Where(variable => variable.Key.StartsWith("Auth__ServiceClients__", StringComparison.Ordinal)
                && variable.Key.EndsWith("__ClientId", StringComparison.Ordinal))
            .Select(variable => (string)variable.Value)
            .ToList();
        CollectionAssert.AreEquivalent(ClientServices.Append("gateway-2").Select(name => $"svc-{name}").ToList(), clients);
    }

    [TestMethod]
    public async Task AdminPassword_IsGeneratedOnceIntoTheStateFolder_UnlessConfigured()
    {
        var state = Directory.CreateTempSubdirectory("novabrain-identity-").FullName;
        try
        {
            string first, second;
            await using (var builder = await AppHostModel.BuildInStateAsync(state, FakeServerBinaries.Settings()))
            {
                first = await builder.Single<ParameterResource>("admin-password").GetValueAsync(default) ?? "";
            }
            await using (var builder = await AppHostModel.BuildInStateAsync(state, FakeServerBinaries.Settings()))
            {
                second = await builder.Single<ParameterResource>("admin-password").GetValueAsync(default) ?? "";
            }

            Assert.AreEqual(first, File.ReadAllText(Path.Combine(state, "secrets", "admin-password")));
            Assert.AreEqual(first, second, "a restart keeps the password");
            Assert.IsTrue(first.Length >= 12 && first.Any(char.IsDigit) && first.Any(char.IsUpper) && first.Any(char.IsLower), "meets the password policy");

            await using var configured = await AppHostModel.BuildInStateAsync(state, [.. FakeServerBinaries.Settings(), "Parameters:admin-password=Chosen-Passw0rd!"]);
            Assert.AreEqual("Chosen-Passw0rd!", await configured.Single<ParameterResource>("admin-password").GetValueAsync(default));
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }
}
