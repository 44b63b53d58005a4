using NovaBrain.ModelRegistry.References;

namespace NovaBrain.Tests.Registry;

[TestClass]
public sealed class ModelReferenceTests
{
    [TestMethod]
    [DataRow("models:/fraud/3", "fraud", 3, null, null)]
    [DataRow("models:/fraud.v2-x_y/12", "fraud.v2-x_y", 12, null, null)]
    [DataRow("models:/fraud@champion", "fraud", null, "champion", null)]
    [DataRow("models:/fraud@challenger-2", "fraud", null, "challenger-2", null)]
    [DataRow("models:/fraud/Production", "fraud", null, null, "Production")]
    [DataRow("models:/fraud/staging", "fraud", null, null, "Staging")]
    [DataRow("models:/fraud/ARCHIVED", "fraud", null, null, "Archived")]
    [DataRow("models:/fraud/None", "fraud", null, null, "None")]
    public void TryParse_AcceptsEachForm(string value, string model, int? version, string? alias, string? stage)
    {
        Assert.IsTrue(ModelReference.TryParse(value, out var reference), value);
        Assert.AreEqual(new ModelReference(model, version, alias, stage), reference);
    }

    [TestMethod]
    [DataRow(null)]
    [DataRow("")]
    [DataRow("fraud/3")]
    [DataRow("models:fraud/3")]
    [DataRow("model:/fraud/3")]
    [DataRow("models:/fraud")]
    [DataRow("models:/fraud/")]
    [DataRow("models:/fraud/0")]
    [DataRow("models:/fraud/-1")]
    [DataRow("models:/fraud/99999999999")]
    [DataRow("models:/fraud/Prod")]
    [DataRow("models:/fraud/3/4")]
    [DataRow("models:/fraud@")]
    [DataRow("models:/fraud@1champion")]
    [DataRow("models:/fraud@champ/1")]
    [DataRow("models:/@champion")]
    [DataRow("models://3")]
    [DataRow("models:/fr aud/3")]
    public void TryParse_RefusesMalformedReferences(string? value)
    {
        Assert.IsFalse(ModelReference.TryParse(value, out var reference), value);
        Assert.IsNull(reference);
    }

    [TestMethod]
    [DataRow("models:/fraud/3")]
    [DataRow("models:/fraud@champion")]
    [DataRow("models:/fraud/Production")]
    public void ToString_WritesTheCanonicalForm(string value)
    {
        Assert.IsTrue(ModelReference.TryParse(value, out var reference));
        Assert.AreEqual(value, reference.ToString());
    }

    [TestMethod]
    public void ToString_NamesAStageInItsCanonicalCase()
    {
        Assert.IsTrue(ModelReference.TryParse("models:/fraud/production", out var reference));
        Assert.AreEqual("models:/fraud/Production", reference.ToString());
    }
}
