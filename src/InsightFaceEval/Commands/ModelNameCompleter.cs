using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace InsightFaceEval.Commands
{
    /// <summary>
    /// Completes the model names the evaluation guide lists. Only a convenience: any other name is accepted,
    /// because the server decides and the list may change.
    /// </summary>
    public sealed class ModelNameCompleter : IArgumentCompleter
    {
        internal static readonly string[] KnownModels = { "buffalo", "dingo", "eagle", "eagle-2" };

        private static readonly Dictionary<string, string> Descriptions = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["buffalo"] = "The open-source buffalo_l recogniser (baseline).",
            ["dingo"] = "Same compute as buffalo_l, clearly more accurate.",
            ["eagle"] = "Much more compute, more accurate still.",
            ["eagle-2"] = "Like eagle, with a longer embedding.",
        };

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
            foreach (var model in KnownModels)
            {
                if (model.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                {
                    yield return new CompletionResult(model, model, CompletionResultType.ParameterValue, Descriptions[model]);
                }
            }
        }
    }
}
