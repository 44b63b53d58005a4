using NovaBrain.AppHost.Infrastructure;

namespace NovaBrain.Tests.AppHost;

[TestClass]
public sealed class InfrastructureModeSelectorTests
{
    private static readonly IReadOnlyCollection<string> NothingMissing = [];

    [TestMethod]
    [DataRow(null)]
    [DataRow("")]
    [DataRow("auto")]
    [DataRow("AUTO")]
    public void Auto_WithAnsweringRuntime_PicksContainers(string? configured) =>
        Assert.AreEqual(InfrastructureMode.Containers, InfrastructureModeSelector.Select(configured, false, () => true, () => ["postgresql"]));

    [TestMethod]
    public void Auto_WithoutRuntimeButWithBinaries_PicksLocal() =>
        Assert.AreEqual(InfrastructureMode.Local, InfrastructureModeSelector.Select("auto", false, () => false, () => NothingMissing));

    [TestMethod]
    public void Auto_WithNeitherRuntimeNorBinaries_NamesBothWaysOut()
    {
        var error = Assert.ThrowsExactly<InfrastructureConfigurationException>(
            () => InfrastructureModeSelector.Select("auto", false, () => false, () => ["redis-server", "prometheus"]));

        StringAssert.Contains(error.Message, "container runtime");
        StringAssert.Contains(error.Message, "apt-get install redis-server prometheus");
        StringAssert.Contains(error.Message, "NovaBrain:Infrastructure=external");
    }

    [TestMethod]
    [DataRow("auto")]
    [DataRow("local")]
    public void Publish_PicksContainersWithoutProbing(string configured) =>
        Assert.AreEqual(
            InfrastructureMode.Containers,
            InfrastructureModeSelector.Select(configured, true, () => throw new AssertFailedException("probed"), () => throw new AssertFailedException("probed")));

    [TestMethod]
    [DataRow("containers", InfrastructureMode.Containers)]
    [DataRow("external", InfrastructureMode.External)]
    [DataRow("Local", InfrastructureMode.Local)]
    public void ExplicitMode_IsTakenWithoutProbingTheRuntime(string configured, InfrastructureMode expected) =>
        Assert.AreEqual(expected, InfrastructureModeSelector.Select(configured, false, () => throw new AssertFailedException("probed"), () => NothingMissing));

    [TestMethod]
    public void Local_WithMissingBinary_NamesThePackageToInstall()
    {
        var error = Assert.ThrowsExactly<InfrastructureConfigurationException>(
            () => InfrastructureModeSelector.Select("local", false, () => true, () => ["rabbitmq-server"]));

        StringAssert.Contains(error.Message, "apt-get install rabbitmq-server");
    }

    [TestMethod]
    public void UnknownMode_ListsTheValidOnes()
    {
        var error = Assert.ThrowsExactly<InfrastructureConfigurationException>(
            () => InfrastructureModeSelector.Select("kubernetes", false, () => true, () => NothingMissing));

        StringAssert.Contains(error.Message, "'kubernetes'");
        StringAssert.Contains(error.Message, "auto, containers, local, external");
    }
}
