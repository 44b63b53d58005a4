using System.Runtime.CompilerServices;
using YamlDotNet.RepresentationModel;

namespace NovaBrain.Tests.Publishing;

[TestClass]
public sealed class AzureYamlTests
{
    /// <summary>azd accepts an AppHost only as the application's single service, hosted on Container Apps.</summary>
    [TestMethod]
    public void AzureYaml_NamesTheAppHostAsItsOnlyContainerAppsService()
    {
        var root = RepositoryRoot();
        var yaml = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(root, "azure.yaml")))
        {
            yaml.Load(reader);
        }

        var document = (YamlMappingNode)yaml.Documents.Single().RootNode;
        Assert.AreEqual("novabrain", document["name"].ToString());
        var service = (YamlMappingNode)((YamlMappingNode)document["services"]).Children.Single().Value;
        Assert.AreEqual("dotnet", service["language"].ToString());
        Assert.AreEqual("containerapp", service["host"].ToString());
        var project = Path.GetFullPath(Path.Combine(root, service["project"].ToString()));
        Assert.AreEqual(Path.Combine(root, "NovaBrain.AppHost", "NovaBrain.AppHost.csproj"), project);
        Assert.IsTrue(File.Exists(project));
        StringAssert.Contains(File.ReadAllText(project), "Aspire.AppHost.Sdk");
    }

    private static string RepositoryRoot([CallerFilePath] string path = "") => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));
}
