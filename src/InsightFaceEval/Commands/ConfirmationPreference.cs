using System;
using System.Globalization;
using System.Management.Automation;

namespace InsightFaceEval.Commands
{
    /// <summary>PowerShell's rule for whether ShouldProcess will print "What if" or ask, known before calling it.</summary>
    internal static class ConfirmationPreference
    {
        /// <summary>
        /// True under -WhatIf, $WhatIfPreference, -Confirm, or $ConfirmPreference at or below <paramref name="impact"/>.
        /// </summary>
        public static bool WillAskOrSimulate(PSCmdlet cmdlet, ConfirmImpact impact)
        {
            var bound = cmdlet.MyInvocation.BoundParameters;
            if (bound.TryGetValue("WhatIf", out var whatIf))
            {
                if (LanguagePrimitives.IsTrue(whatIf)) { return true; }
            }
            else if (LanguagePrimitives.IsTrue(cmdlet.GetVariableValue("WhatIfPreference")))
            {
                return true;
            }

            if (bound.TryGetValue("Confirm", out var confirm)) { return LanguagePrimitives.IsTrue(confirm); }
            var preference = cmdlet.GetVariableValue("ConfirmPreference");
            if (!(preference is ConfirmImpact level) && !Enum.TryParse(Convert.ToString(preference, CultureInfo.InvariantCulture), true, out level))
            {
                level = ConfirmImpact.High;
            }

            return level != ConfirmImpact.None && impact >= level;
        }
    }
}
