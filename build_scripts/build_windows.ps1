# Build the Windows installer for Faultline: dist\Faultline\ (PyInstaller, from faultline.spec), its
# self-test, then dist\faultline-<version>-windows-x64-setup.exe (Inno Setup, from faultline.iss).
# Runs on Windows 10/11 x64 only; see build_scripts\README.md for what to install first.
#
#   powershell -ExecutionPolicy Bypass -File build_scripts\build_windows.ps1
#
# Signing (skipped, and said so, when WINDOWS_CERTIFICATE is unset): WINDOWS_CERTIFICATE is a .pfx
# code-signing certificate, WINDOWS_CERTIFICATE_PASSWORD its password, TIMESTAMP_URL the RFC 3161
# time-stamp server (default DigiCert's). signtool signs Faultline.exe before its self-test, and
# Inno Setup signs the setup and its uninstaller with the same command.
$ErrorActionPreference = "Stop"
Set-Location (Split-Path -Parent $PSScriptRoot)
$py = if ($env:PY) { $env:PY } else { ".venv\Scripts\python.exe" }
if (-not (Test-Path $py)) { throw "no $($py) found: create the venv first (see build_scripts\README.md)" }

if (-not (Get-ChildItem engine\_core*.pyd -ErrorAction SilentlyContinue)) {
    & $py setup.py build_ext --inplace
    if ($LASTEXITCODE) { throw "building the engine failed (is the MSVC build tools' C compiler installed?)" }
}
& $py -m pip install -q "pyinstaller>=6.10,<7"
$version = & $py build_scripts\packaging_tools.py version
$numeric = & $py build_scripts\packaging_tools.py windows-version
$started = Get-Date

$sign = [bool]$env:WINDOWS_CERTIFICATE
if ($sign) {
    if (-not (Test-Path $env:WINDOWS_CERTIFICATE)) { throw "WINDOWS_CERTIFICATE=$($env:WINDOWS_CERTIFICATE): no such file" }
    $signtool = (Get-Command signtool -ErrorAction SilentlyContinue).Source
    if (-not $signtool) {
        $signtool = Get-ChildItem "${env:ProgramFiles(x86)}\Windows Kits\10\bin\*\x64\signtool.exe" -ErrorAction SilentlyContinue |
            Sort-Object FullName | Select-Object -Last 1 -ExpandProperty FullName
    }
    if (-not $signtool) { throw "signtool.exe not found: install the Windows SDK's signing tools, or unset WINDOWS_CERTIFICATE" }
    $timestamp = if ($env:TIMESTAMP_URL) { $env:TIMESTAMP_URL } else { "http://timestamp.digicert.com" }
    $signArgs = @("sign", "/fd", "sha256", "/td", "sha256", "/tr", $timestamp, "/f", $env:WINDOWS_CERTIFICATE)
    # The same command for Inno Setup, which puts the file to sign at $f and a quote at $q.
    $innoSign = "`$q$signtool`$q sign /fd sha256 /td sha256 /tr $timestamp /f `$q$($env:WINDOWS_CERTIFICATE)`$q"
    if ($env:WINDOWS_CERTIFICATE_PASSWORD) {
        $signArgs += @("/p", $env:WINDOWS_CERTIFICATE_PASSWORD)
        $innoSign += " /p `$q$($env:WINDOWS_CERTIFICATE_PASSWORD)`$q"
    }
    $innoSign += " `$f"
} else {
    Write-Host "signing skipped: WINDOWS_CERTIFICATE is not set, so Faultline.exe, the setup and its uninstaller are unsigned (SmartScreen will warn users)"
}

Remove-Item -Recurse -Force dist\Faultline, build\pyinstaller -ErrorAction SilentlyContinue
& $py -m PyInstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build\pyinstaller build_scripts\faultline.spec
if ($LASTEXITCODE) { throw "PyInstaller failed" }
$fileVersion = (Get-Item dist\Faultline\Faultline.exe).VersionInfo.ProductVersion
if ($fileVersion -ne $version) { throw "Faultline.exe carries version '$fileVersion', not $version" }
if ($sign) {
    & $signtool @signArgs dist\Faultline\Faultline.exe
    if ($LASTEXITCODE) { throw "signtool could not sign Faultline.exe" }
}

# The windowed executable has no console: the self-test writes its report to %TEMP%.
$report = Join-Path $env:TEMP "faultline-self-test.txt"
Remove-Item $report -ErrorAction SilentlyContinue
$test = Start-Process -FilePath dist\Faultline\Faultline.exe -ArgumentList "--self-test" -Wait -PassThru
Get-Content $report
if ($test.ExitCode -ne 0) { throw "the bundle's self-test failed (exit $($test.ExitCode))" }

$iscc = Get-Command iscc -ErrorAction SilentlyContinue
$isccPath = if ($iscc) { $iscc.Source } else { "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe" }
if (-not (Test-Path $isccPath)) { throw "Inno Setup 6 (ISCC.exe) is not installed" }
$isccArgs = @("/Qp", "/DAppVersion=$version", "/DAppVersionNumeric=$numeric")
if ($sign) { $isccArgs += @("/DSign", "/Sfaultline=$innoSign") }
& $isccPath @isccArgs build_scripts\faultline.iss
if ($LASTEXITCODE) { throw "Inno Setup failed" }

$setup = Get-Item "dist\faultline-$version-windows-x64-setup.exe"
if ($sign) {
    foreach ($signed in @("dist\Faultline\Faultline.exe", $setup.FullName)) {
        & $signtool verify /pa $signed
        if ($LASTEXITCODE) { throw "the signature of $signed does not verify" }
    }
}
$bundle = (Get-ChildItem dist\Faultline -Recurse -File | Measure-Object Length -Sum).Sum
"built Faultline $version in {0:N0} s" -f ((Get-Date) - $started).TotalSeconds
"bundle    dist\Faultline: {0:N1} MiB" -f ($bundle / 1MB)
"installer $($setup.Name): {0:N1} MiB" -f ($setup.Length / 1MB)
