# Windows PowerShell 5.1 can run every shipped script and every PowerShell code block of the documentation.
# The checks use the PowerShell parser (see WindowsPowerShellSyntax.psm1 for the list and for how Markdown code
# blocks are classified as PowerShell or shell). Under 5.1 itself (the Windows workflow) 7-only syntax shows
# as parse errors; under 7 the AST nodes show it.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $root = Get-TestRepositoryRoot
    $scripts = @(
        Get-ChildItem -LiteralPath (Join-Path $root 'examples') -Filter '*.ps1'
        Get-Item -LiteralPath (Join-Path $root 'build.ps1')
        Get-ChildItem -LiteralPath (Join-Path $root 'build') -Filter '*.ps1'
        Get-ChildItem -LiteralPath (Join-Path $root 'bench') -Filter '*.ps1'
        Get-ChildItem -LiteralPath (Join-Path $root 'tests/Pester') -File | Where-Object { $_.Extension -in '.ps1', '.psm1' }
    ) | ForEach-Object { @{ Name = $_.FullName.Substring($root.Length + 1).Replace('\', '/'); Path = $_.FullName } }
    $documents = @(
        Get-Item -LiteralPath (Join-Path $root 'README.md')
        Get-ChildItem -LiteralPath (Join-Path $root 'docs') -Filter '*.md'
        Get-ChildItem -LiteralPath (Join-Path $root 'docs/en-US') -Filter '*.md'
    ) | ForEach-Object { @{ Name = $_.FullName.Substring($root.Length + 1).Replace('\', '/'); Path = $_.FullName } }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'WindowsPowerShellSyntax.psm1') -Force
}

Describe 'Shipped scripts are valid Windows PowerShell 5.1' {
    It '<Name>' -ForEach $scripts {
        $issues = @(Get-WindowsPowerShellIssue -Source (Get-Content -LiteralPath $Path -Raw -Encoding UTF8) -Name $Name)
        $issues -join [Environment]::NewLine | Should -BeNullOrEmpty
    }
}

Describe 'PowerShell code blocks of the documentation are valid Windows PowerShell 5.1' {
    It '<Name>' -ForEach $documents {
        $issues = @(foreach ($block in Get-MarkdownPowerShellBlock -Path $Path) {
                Get-WindowsPowerShellIssue -Source $block.Code -Name $Name -FirstLine $block.FirstLine
            })
        $issues -join [Environment]::NewLine | Should -BeNullOrEmpty
    }

    It 'finds the README''s PowerShell blocks and leaves its shell set-up lines out' {
        $readme = Join-Path (Get-TestRepositoryRoot) 'README.md'
        $code = @(Get-MarkdownPowerShellBlock -Path $readme | ForEach-Object Code) -join "`n"
        $code | Should -Match 'Get-FaceEmbedding -Model dingo, eagle'
        $code | Should -Match 'Import-Module ./out/InsightFaceEval/InsightFaceEval.psd1'
        $code | Should -Not -Match 'dotnet tool restore &&'
    }
}

Describe 'The 5.1 checker' {
    It 'reports <Construct>' -ForEach @(
        @{ Construct = 'a ternary operator'; Code = '$a = $b ? 1 : 2' }
        @{ Construct = 'an && pipeline chain'; Code = 'dotnet build && dotnet test' }
        @{ Construct = 'an || pipeline chain'; Code = 'Get-Item x || Write-Warning no' }
        @{ Construct = '??'; Code = '$a = $b ?? 1' }
        @{ Construct = '??='; Code = '$a ??= 1' }
        @{ Construct = '?.'; Code = '${a}?.Length' }
        @{ Construct = '?['; Code = '${a}?[0]' }
        @{ Construct = 'ForEach-Object -Parallel'; Code = '1..3 | ForEach-Object -Parallel { $_ }' }
        @{ Construct = 'ConvertFrom-Json -AsHashtable'; Code = '"{}" | ConvertFrom-Json -AsHashtable' }
        @{ Construct = 'Get-Content -AsByteStream'; Code = 'Get-Content x -AsByteStream' }
        @{ Construct = 'the encoding name utf8NoBOM'; Code = 'Out-File x -Encoding utf8NoBOM' }
        @{ Construct = '$IsWindows'; Code = 'if ($IsWindows) { 1 }' }
        @{ Construct = '$IsLinux'; Code = 'if ($IsLinux) { 1 }' }
        @{ Construct = '$IsMacOS'; Code = 'if ($IsMacOS) { 1 }' }
        @{ Construct = 'Join-Path with two child paths'; Code = 'Join-Path $a b c' }
        @{ Construct = 'Join-Path -AdditionalChildPath'; Code = 'Join-Path -Path $a -ChildPath b -AdditionalChildPath c' }
        @{ Construct = 'Set-Content without -Encoding'; Code = '"x" | Set-Content -LiteralPath y' }
        @{ Construct = 'Out-File with another encoding'; Code = '"x" | Out-File y -Encoding Unicode' }
        @{ Construct = 'Add-Content without -Encoding'; Code = 'Add-Content y -Value x' }
        @{ Construct = 'Export-Csv without -NoTypeInformation'; Code = '$x | Export-Csv y.csv -Encoding UTF8' }
        @{ Construct = 'Export-Csv without -Encoding'; Code = '$x | Export-Csv y.csv -NoTypeInformation' }
        @{ Construct = 'a .NET Core-only member'; Code = '[IO.Path]::GetRelativePath($a, $b)' }
    ) {
        @(Get-WindowsPowerShellIssue -Source $Code -Name 'sample').Count | Should -BeGreaterThan 0
    }

    It 'accepts what 5.1 runs' {
        $code = @'
$o = [ordered]@{ a = 1 }
$p = Join-Path (Join-Path $a 'b') 'c'
Split-Path $p -Leaf
$g = Get-ChildItem | Group-Object Extension -AsHashTable
"x" | Set-Content -LiteralPath y -Encoding UTF8
"x" | Out-File -FilePath y -Append -Encoding utf8
$x | Export-Csv -NoTypeInformation y.csv -Encoding UTF8
Add-Content -Encoding:UTF8 y -Value x
$n = if ($env:OS -eq 'Windows_NT') { 'pwsh.exe' } else { 'pwsh' }
'@
        @(Get-WindowsPowerShellIssue -Source $code -Name 'sample') -join "`n" | Should -BeNullOrEmpty
    }

    It 'classifies Markdown code blocks: fence language, indented blocks, shell set-up lines, PS> prompts' {
        $md = Join-Path $TestDrive 'sample.md'
        @(
            '# Sample', '',
            '    dotnet tool restore && dotnet pwsh ./build.ps1 -Task Test     # shell', '',
            '```sh', 'make && echo "$HOME" || true', '```', '',
            '```ini', '[Unit]', '```', '',
            '```powershell', 'PS> Get-Item x |', '      Select-Object Name', 'Name', '----', 'x', '```', '',
            '```', '$a = $b ?? 1', '```'
        ) | Set-Content -LiteralPath $md -Encoding UTF8
        $blocks = @(Get-MarkdownPowerShellBlock -Path $md)
        $blocks.Count | Should -Be 3
        $blocks[0].Code.Trim() | Should -BeNullOrEmpty -Because 'the set-up line is shell'
        $blocks[1].Code.Trim() | Should -Be "Get-Item x |`n      Select-Object Name"
        $issues = @(Get-WindowsPowerShellIssue -Source $blocks[2].Code -Name 'sample.md' -FirstLine $blocks[2].FirstLine)
        $issues.Count | Should -BeGreaterThan 0
        $issues[0] | Should -Match '^sample\.md:2[0-9]: '
    }
}

Describe 'README: First use on Windows' {
    It 'runs its commands as printed: execution policy, Unblock-File, Expand-Archive, Import-Module (Windows only)' {
        $readme = Get-Content -LiteralPath (Join-Path (Get-TestRepositoryRoot) 'README.md') -Raw -Encoding UTF8
        $section = [regex]::Match($readme, '(?s)## First use on Windows(.*?)\n## ').Groups[1].Value
        $commands = @([regex]::Matches($section, '`((?:Set-ExecutionPolicy|Unblock-File|Expand-Archive|Import-Module) [^`]+)`') | ForEach-Object { $_.Groups[1].Value })
        $commands.Count | Should -Be 4
        if (-not (Test-TestWindows)) { Set-ItResult -Skipped -Because 'Windows only: the Windows workflow runs it'; return }
        # The downloaded zip: the staged module zipped as build.ps1 -Task Package names it, marked as from the internet.
        $version = (Import-PowerShellDataFile (Join-Path (Get-TestRepositoryRoot) 'InsightFaceEval.psd1')).ModuleVersion
        $folder = Join-Path $TestDrive 'download'
        $null = New-Item -ItemType Directory -Path $folder -Force
        $zip = Join-Path $folder "InsightFaceEval-$version.zip"
        Compress-Archive -Path (Split-Path (Get-TestModuleManifest)) -DestinationPath $zip
        Set-Content -LiteralPath $zip -Stream Zone.Identifier -Value "[ZoneTransfer]`r`nZoneId=3" -Encoding UTF8
        $script = @("Set-Location -LiteralPath '$folder'", "`$ErrorActionPreference = 'Stop'")
        foreach ($command in $commands) {
            $line = $command.Replace('<version>', $version)
            # A policy set by the machine or the process may override the user's: PowerShell says so with an error.
            if ($line -like 'Set-ExecutionPolicy*') { $line = "try { $line } catch { if (`$_.FullyQualifiedErrorId -notlike 'ExecutionPolicyOverride*') { throw } }" }
            $script += $line
        }
        $script += "@{ Blocked = [bool](Get-Item -LiteralPath '$zip' -Stream Zone.Identifier -ErrorAction SilentlyContinue); Commands = @(Get-Command -Module InsightFaceEval).Count } | ConvertTo-Json"
        $result = Invoke-ChildPwsh -Command ($script -join "`n")
        $result.Blocked | Should -BeFalse
        $result.Commands | Should -BeGreaterThan 5
    }
}
