using System.Text.Json;
using NovaBrain.Training.Studies;
using NovaBrain.Training.Templates;

namespace NovaBrain.Tests.Training;

/// <summary>Search spaces against the built-in templates' schemas, and their points as hyperparameters.</summary>
[TestClass]
public sealed class StudySearchSpaceTests
{
    private static readonly TrainingTemplate Classifier = BuiltInTemplates.Find(BuiltInTemplates.MlpClassifier, version: null)!;

    [TestMethod]
    public void Validate_WithEveryKindOfDimensionInsideTheSchema_HasNoErrors()
    {
        var errors = SearchSpace.Validate(Classifier, Space("""
            {
              "learningRate": { "type": "log-uniform", "low": 1e-5, "high": 1 },
              "validationFraction": { "type": "uniform", "low": 0.1, "high": 0.3 },
              "batchSize": { "type": "integer", "low": 8, "high": 128 },
              "hiddenLayers": { "type": "categorical", "choices": [[16], [32, 16], []] }
            }
            """));

        Assert.IsEmpty(errors);
    }

    [TestMethod]
    public void Validate_WithRangesOrChoicesTheSchemaRefuses_NamesEachDimensionAndRule()
    {
        var errors = SearchSpace.Validate(Classifier, Space("""
            {
              "learningRate": { "type": "log-uniform", "low": 0, "high": 0.1 },
              "validationFraction": { "type": "uniform", "low": 0.3, "high": 0.1 },
              "batchSize": { "type": "integer", "low": 8.5, "high": 64 },
              "epochs": { "type": "integer", "low": 0, "high": 10 },
              "hiddenLayers": { "type": "categorical", "choices": [[16], [0]] },
              "optimizer": { "type": "categorical", "choices": [] },
              "seed": { "type": "categorical", "choices": [1, null] }
            }
            """));

        Assert.HasCount(7, errors);
        StringAssert.Contains(errors["searchSpace.learningRate"][0], "low is above 0");
        StringAssert.Contains(errors["searchSpace.validationFraction"][0], "low < high");
        StringAssert.Contains(errors["searchSpace.batchSize"][0], "are integers");
        StringAssert.Contains(errors["searchSpace.epochs"][0], "'epochs' is from 1 to 10000");
        StringAssert.Contains(errors["searchSpace.hiddenLayers"][0], "[0]");
        StringAssert.Contains(errors["searchSpace.optimizer"][0], "1 to 100 choices");
        StringAssert.Contains(errors["searchSpace.seed"][0], "not null");
        Assert.HasCount(1, SearchSpace.Validate(Classifier, null), "an empty space is refused");
    }

    [TestMethod]
    public void Points_TurnIntoHyperparametersAndBack()
    {
        var space = new SearchSpace(Space("""
            { "hiddenLayers": { "type": "categorical", "choices": [[16], [32, 16]] }, "batchSize": { "type": "integer", "low": 8, "high": 64 } }
            """));

        var values = space.ToHyperparameters([20, 1]);

        Assert.AreEqual(20, values["batchSize"].GetInt32(), "dimensions are in ordinal order: batchSize, hiddenLayers");
        CollectionAssert.AreEqual(new[] { 32, 16 }, values["hiddenLayers"].EnumerateArray().Select(width => width.GetInt32()).ToArray());
        CollectionAssert.AreEqual(new double[] { 20, 1 }, space.ToPoint(values));
    }

    private static Dictionary<string, SearchDimension> Space(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, SearchDimension>>(json, JsonSerializerOptions.Web)!;
}
