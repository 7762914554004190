BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    $script:cmdlets = @(Get-Command -Module InsightFaceEval -CommandType Cmdlet | ForEach-Object { @{ Name = $_.Name } })
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:manifestPath = Get-TestModuleManifest
    Import-Module $script:manifestPath -Force
    $script:root = Get-TestRepositoryRoot
    $script:commonParameters = [System.Management.Automation.PSCmdlet]::CommonParameters +
        [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
}

Describe 'The module manifest' {
    It 'is valid and loads in both editions from 5.1 on' {
        $manifest = Test-ModuleManifest -Path $script:manifestPath
        $manifest.PowerShellVersion | Should -Be ([version]'5.1')
        $manifest.CompatiblePSEditions | Should -Be @('Desktop', 'Core')
    }

    It 'exports exactly the cmdlets it lists, and nothing else' {
        $listed = (Import-PowerShellDataFile $script:manifestPath).CmdletsToExport | Sort-Object
        $listed | Should -Not -BeNullOrEmpty
        $exported = (Get-Command -Module InsightFaceEval).Name | Sort-Object
        $exported | Should -Be $listed
    }

    It 'carries one version, the manifest''s, into every assembly' {
        $version = (Import-PowerShellDataFile $script:manifestPath).ModuleVersion
        $dll = Join-Path (Split-Path $script:manifestPath) 'InsightFaceEval.Core.dll'
        [System.Reflection.AssemblyName]::GetAssemblyName($dll).Version.ToString(3) | Should -Be $version
    }
}

Describe 'Error categories from Core' {
    It 'number every category exactly as PowerShell does, so a Core problem keeps its category in the error record' {
        $core = [System.AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'InsightFaceEval.Core' }
        $problemCategory = $core.GetType('InsightFaceEval.ProblemCategory', $true)
        $ours = @([System.Enum]::GetValues($problemCategory) | ForEach-Object { '{0}={1}' -f $_, [int]$_ })
        $powershell = @([System.Enum]::GetValues([System.Management.Automation.ErrorCategory]) | ForEach-Object { '{0}={1}' -f $_, [int]$_ })
        $ours | Should -Be $powershell
    }
}

Describe 'Cmdlet <Name>' -ForEach $script:cmdlets {
    BeforeAll {
        $script:command = Get-Command $Name
        $script:help = Get-Help $Name -Full
    }

    It 'has a platyPS page in docs/en-US' {
        Join-Path $script:root "docs/en-US/$Name.md" | Should -Exist
    }

    It 'has a synopsis, a description and an example in Get-Help -Full' {
        $synopsis = "$($script:help.Synopsis)".Trim()
        $synopsis | Should -Not -BeNullOrEmpty
        # Without MAML, PowerShell shows the syntax line as the synopsis.
        $synopsis | Should -Not -Match ([regex]::Escape($Name) + '\s+\[')
        ($script:help.description | Out-String).Trim() | Should -Not -BeNullOrEmpty
        @($script:help.examples.example).Count | Should -BeGreaterThan 0
        ($script:help.examples.example[0].code | Out-String).Trim() | Should -Not -BeNullOrEmpty
    }

    It 'gives every example a description' {
        $bare = @($script:help.examples.example | Where-Object { -not ($_.remarks | Out-String).Trim() } | ForEach-Object title)
        $bare | Should -BeNullOrEmpty -Because 'an example without a description leaves the user guessing what it shows'
    }

    It 'names related commands and topics, with no online address, so -Online says there is none' {
        $links = @($script:help.relatedLinks.navigationLink)
        $links.Count | Should -BeGreaterThan 0
        foreach ($link in $links) {
            $link.linkText | Should -Not -BeLike '*.md'
            "$($link.uri)" | Should -BeNullOrEmpty
            Get-Help $link.linkText -ErrorAction SilentlyContinue | Should -Not -BeNullOrEmpty -Because "'$($link.linkText)' should be a command or help topic"
        }
        $thrown = { Get-Help $Name -Online -ErrorAction Stop } | Should -Throw -PassThru
        $thrown.FullyQualifiedErrorId | Should -Be 'InvalidOperation,Microsoft.PowerShell.Commands.GetHelpCommand'
        $thrown.Exception.Message | Should -Not -BeLike '*not a valid URI*'
        $thrown.Exception.Message | Should -BeLike '*URI*not specified*'
    }

    It 'documents every parameter' {
        $undocumented = foreach ($parameter in $script:command.Parameters.Keys) {
            if ($parameter -in $script:commonParameters) { continue }
            $entry = $script:help.parameters.parameter | Where-Object name -EQ $parameter
            if (-not $entry -or -not ($entry.description | Out-String).Trim()) { $parameter }
        }
        $undocumented | Should -BeNullOrEmpty -Because 'every parameter needs a description in its platyPS page'
    }

    It 'declares [SupportsWildcards] exactly on the parameters its help says take wildcards' {
        $wrong = foreach ($parameter in $script:command.Parameters.Values) {
            if ($parameter.Name -in $script:commonParameters) { continue }
            $entry = $script:help.parameters.parameter | Where-Object name -EQ $parameter.Name
            $documented = [bool]($entry -and "$($entry.globbing)" -eq 'true')
            $declared = [bool]@($parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }).Count
            if ($documented -ne $declared) { "-$($parameter.Name) (help: $documented, attribute: $declared)" }
        }
        $wrong | Should -BeNullOrEmpty -Because 'tab completion and Get-Command read the attribute, users read the help'
    }

    It 'names its limits -Maximum*, as PowerShell does, never -Max*' {
        @($script:command.Parameters.Keys | Where-Object { $_ -cmatch '^Max(?!imum)[A-Z]' }) | Should -BeNullOrEmpty
    }

    It 'declares its output types, and each has a format view' {
        $types = @($script:command.OutputType.Type | Where-Object { $_ })
        $types.Count | Should -BeGreaterThan 0
        foreach ($type in $types | Where-Object { $_.Assembly.GetName().Name -like 'InsightFaceEval*' }) {
            Get-FormatData -TypeName $type.FullName | Should -Not -BeNullOrEmpty -Because "$($type.FullName) needs a view"
        }
    }
}

Describe 'The about_InsightFaceEval topic' {
    It 'is shown by Get-Help, as text with the workflow, the store layout, identities and privacy' {
        $text = Get-Help about_InsightFaceEval | Out-String
        $text | Should -Match 'TOPIC\s+about_InsightFaceEval'
        foreach ($heading in 'SHORT DESCRIPTION', 'THE WORKFLOW', 'THE STORE', 'IDENTITIES', 'PRIVACY', 'SEE ALSO') {
            $text | Should -Match ('(?m)^' + $heading + '\s*$')
        }
        $text | Should -Match 'store/<model>/index\.jsonl'
        $text | Should -Not -Match '```|^#'
    }
}

Describe 'Renamed parameters' {
    It 'still take their old -Max* names, so existing scripts keep working' -ForEach @(
        @{ Command = 'Get-FaceEmbedding'; Parameter = 'MaximumRequestsPerSecond'; Old = 'MaxRequestsPerSecond' }
        @{ Command = 'New-FaceCrop'; Parameter = 'MaximumSide'; Old = 'MaxSide' }
        @{ Command = 'New-FaceCrop'; Parameter = 'MaximumPixels'; Old = 'MaxPixels' }
        @{ Command = 'Find-Face'; Parameter = 'MaximumPixels'; Old = 'MaxPixels' }
        @{ Command = 'Measure-FaceIdentification'; Parameter = 'MaximumRank'; Old = 'MaxRank' }
    ) {
        (Get-Command $Command).Parameters[$Parameter].Aliases | Should -Contain $Old
    }
}
