using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;

namespace InsightFaceEval.Commands
{
    /// <summary>
    /// Lets a numeric-array parameter take what detectors and CSV files hand over: nested arrays
    /// (@(@(1,2,3,4), @(5,6,7,8)), [[x, y], ...] landmarks) are flattened, and strings such as
    /// "10,20,30,40" or "[10 20 30 40]" are split into numbers (invariant culture).
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class NumberListTransformationAttribute : ArgumentTransformationAttribute
    {
        public NumberListTransformationAttribute(Type elementType)
        {
            ElementType = elementType;
        }

        public Type ElementType { get; }

        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            if (inputData == null) { return null; }
            var numbers = new List<double>();
            Flatten(inputData, numbers);
            if (ElementType == typeof(float))
            {
                var result = new float[numbers.Count];
                for (var i = 0; i < result.Length; i++) { result[i] = (float)numbers[i]; }
                return result;
            }

            return numbers.ToArray();
        }

        private static void Flatten(object value, List<double> numbers)
        {
            if (value is PSObject pso) { value = pso.BaseObject; }
            switch (value)
            {
                case null:
                    return;
                case string s:
                    foreach (var part in s.Split(new[] { ',', ';', ' ', '\t', '[', ']', '(', ')' }, StringSplitOptions.RemoveEmptyEntries))
                    {
                        if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
                        {
                            throw new ArgumentTransformationMetadataException($"'{s}' is not a list of numbers.");
                        }

                        numbers.Add(d);
                    }

                    return;
                case IEnumerable list:
                    foreach (var item in list) { Flatten(item, numbers); }
                    return;
                default:
                    try
                    {
                        numbers.Add(Convert.ToDouble(value, CultureInfo.InvariantCulture));
                    }
                    catch (Exception ex) when (ex is InvalidCastException || ex is FormatException || ex is OverflowException)
                    {
                        throw new ArgumentTransformationMetadataException($"'{value}' is not a number.", ex);
                    }

                    return;
            }
        }
    }
}
